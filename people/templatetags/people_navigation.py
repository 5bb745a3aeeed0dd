import functools

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html

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
