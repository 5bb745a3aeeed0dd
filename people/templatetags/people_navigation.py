import functools
import re
from types import SimpleNamespace

from django import template
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=256)
def _url(view_name, prefix, resolver):
    """A page's address, worked out once per process for each script prefix and URLconf it may be served under."""
    return reverse(view_name)


@register.simple_tag(takes_context=True)
def nav_link(context, view_name, label, also="", css="nav-link"):
    """A navigation link marked current when the page is `view_name` or one of the space-separated `also`.

    Written here rather than by an included template, with its address kept once worked out: every page has a
    dozen or more of them, and rendering a template and reversing a URL for each was a noticeable part of what
    any page costs."""
    href = _url(view_name, get_script_prefix(), get_resolver(get_urlconf()))
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and match.view_name in {view_name, *also.split()}:
        return format_html('<a class="{} active" aria-current="page" href="{}">{}</a>', css, href, label)
    return format_html('<a class="{}" href="{}">{}</a>', css, href, label)


# What differs from one person to the next is rendered as these marks and put in afterwards, so that one kept
# header serves everyone who sees the same page with the same roles. Letters and digits only: escaping keeps them.
NAME, USERNAME, PROFILE, UNREAD, UNREAD_LABEL, CSRF = (f"careerconv0header0{part}0mark" for part in (
    "name", "username", "profile", "unread", "label", "csrf"))
MARKS = re.compile("|".join((NAME, USERNAME, PROFILE, UNREAD, UNREAD_LABEL, CSRF)))
# Headers each process keeps: pages × combinations of roles, a few kilobytes each.
HEADERS_KEPT = 1024


@functools.lru_cache(maxsize=HEADERS_KEPT)
def _header(view_name, url_name, signed_in, has_person, is_hr, is_manager, is_partner, is_staff, password_sign_in,
            unread, prefix, resolver, language):
    """The header for one page and one set of roles, from exactly these values (the rest is marks): rendered
    without the request, so that nothing else can reach it. The script prefix, URLconf and language are not read
    here, but its links and words follow from them."""
    return render_to_string("_header.html", {
        "request": SimpleNamespace(resolver_match=SimpleNamespace(view_name=view_name, url_name=url_name)),
        "user": SimpleNamespace(is_authenticated=signed_in, get_username=USERNAME, is_staff=is_staff),
        "me": SimpleNamespace(name=NAME, get_absolute_url=PROFILE) if has_person else None,
        "is_hr": is_hr, "is_manager": is_manager, "is_partner": is_partner, "password_sign_in": password_sign_in,
        "unread_notifications": SimpleNamespace(count=UNREAD if unread else 0, label=UNREAD_LABEL),
        "csrf_token": CSRF,
    })


@register.simple_tag(takes_context=True)
def page_header(context):
    """Every page's header: the brand, the navigation, the bell and the account menu.

    Rendering its two dozen links, menus and conditions was most of what the layout cost on every page, and it
    differs between people only by their name, profile link, unread count and the sign-out form's CSRF token. So
    it is rendered once per process for each page and set of roles (_header), with marks where those go, and they
    are put in, escaped, for each request."""
    request, user, me = context.get("request"), context.get("user") or AnonymousUser(), context.get("me")
    match = getattr(request, "resolver_match", None)
    unread = context.get("unread_notifications")
    count = unread.count if unread is not None else 0
    html = _header(match.view_name if match else "", match.url_name if match else "", user.is_authenticated,
                   me is not None, bool(context.get("is_hr")), bool(context.get("is_manager")),
                   bool(context.get("is_partner")), user.is_staff, bool(context.get("password_sign_in")), count > 0,
                   get_script_prefix(), get_resolver(get_urlconf()), get_language())
    marks = {USERNAME: user.get_username(), CSRF: str(context.get("csrf_token", ""))}
    if me is not None:
        marks.update({NAME: me.name, PROFILE: me.get_absolute_url()})
    if count:
        marks.update({UNREAD: str(count), UNREAD_LABEL: unread.label})
    # In one pass, so that a value holding a mark is never replaced in turn.
    return mark_safe(MARKS.sub(lambda found: escape(marks.get(found.group(), "")), html))
