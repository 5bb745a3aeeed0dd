from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, view_name, label, also="", css="nav-link"):
    """A navigation link marked current when the page is `view_name` or one of the space-separated `also`.

    Written here rather than by an included template: every page has a dozen or more of them, and rendering a
    template for each was a noticeable part of what any page costs."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and match.view_name in {view_name, *also.split()}:
        return format_html('<a class="{} active" aria-current="page" href="{}">{}</a>', css, reverse(view_name),
                           label)
    return format_html('<a class="{}" href="{}">{}</a>', css, reverse(view_name), label)
