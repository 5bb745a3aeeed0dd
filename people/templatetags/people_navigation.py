from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("_nav_link.html", takes_context=True)
def nav_link(context, view_name, label, also="", css="nav-link"):
    """A navigation link marked current when the page is `view_name` or one of the space-separated `also`."""
    match = getattr(context.get("request"), "resolver_match", None)
    current = match is not None and match.view_name in {view_name, *also.split()}
    return {"href": reverse(view_name), "label": label, "current": current, "css": css}
