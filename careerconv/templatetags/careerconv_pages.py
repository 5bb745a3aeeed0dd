from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The query string of the current request with `page` set to `number`, so that a page link keeps the search
    and filters the list was asked with."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
