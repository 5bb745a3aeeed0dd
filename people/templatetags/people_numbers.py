from django import template

register = template.Library()


@register.filter
def grouped(number):
    """20000 → 20,000."""
    try:
        return f"{int(number):,}"
    except (TypeError, ValueError):
        return number
