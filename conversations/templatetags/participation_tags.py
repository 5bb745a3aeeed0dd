"""Table cells for the participation breakdowns: a displayed value plus a `data-value` that the page sorts by.

Simple tags rather than includes: a breakdown by manager has a row per manager, and an include per cell made the
page for a large organisation noticeably slower to render.
"""

from django import template
from django.utils.html import format_html

register = template.Library()

EMPTY = format_html('<td class="text-end" data-value="">{}</td>', "—")


@register.simple_tag
def share_cell(share, low=None):
    """A percentage; `low` (a percentage) marks values below it for attention."""
    percent = share.percent
    if percent is None:
        return EMPTY
    css = "text-end figure-low" if low is not None and percent < low else "text-end"
    return format_html('<td class="{}" data-value="{}" title="{} of {}">{}%</td>', css, f"{percent:.4f}", share.count,
                       share.of, f"{percent:.0f}")


@register.simple_tag
def number_cell(value):
    return format_html('<td class="text-end" data-value="{}">{}</td>', value, value)


@register.simple_tag
def days_cell(days):
    if days is None:
        return EMPTY
    return format_html('<td class="text-end" data-value="{}">{}</td>', f"{days:.4f}", f"{days:.1f}".removesuffix(".0"))
