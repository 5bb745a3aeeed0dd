"""The rows of the participation breakdowns: each figure shown, with a `data-value` that the page sorts by.

One tag per row rather than an include per cell: a breakdown by manager has a row per manager, and includes made
the page for a large organisation noticeably slower to render.
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from conversations.participation.catalogue import COUNT, DAYS, FIGURES
from conversations.participation.figures import MIN_GROUP_SIZE

register = template.Library()


def _empty():
    return ("text-end", "", "", "—")


def _share(share, low=None):
    percent = share.percent
    if percent is None:
        return _empty()
    css = "text-end figure-low" if low is not None and percent < low else "text-end"
    return (css, f"{percent:.4f}", f"{share.count} of {share.of}", f"{percent:.0f}%")


def _number(value):
    return ("text-end", str(value), "", f"{value:,}")


def _days(days):
    if days is None:
        return _empty()
    return ("text-end", f"{days:.4f}", "", f"{days:.1f}".removesuffix(".0"))


def _cell(figure, figures):
    value = figure.value(figures)
    if figure.kind == COUNT:
        return _number(value)
    if figure.kind == DAYS:
        return _days(value)
    return _share(value, figure.low)


@register.simple_tag
def breakdown_row(group):
    """A group's row; a group of fewer than MIN_GROUP_SIZE active employees shows that, and nothing else."""
    figures = group.figures
    if figures.suppressed:
        return format_html('<tr data-suppressed><th scope="row">{}</th>'
                           '<td colspan="{}" class="text-body-secondary">fewer than {}</td></tr>',
                           group.name, len(FIGURES), MIN_GROUP_SIZE)
    cells = [_cell(figure, figures) for figure in FIGURES]
    # Only the name is text from users; every other value is a number formatted above. Built without
    # format_html, whose escaping of every cell was most of the page's rendering time at 1,000 managers.
    cells_html = "".join(f'<td class="{css}" data-value="{value}" title="{title}">{shown}</td>'
                         for css, value, title, shown in cells)
    return mark_safe(f'<tr><th scope="row">{escape(group.name)}</th>{cells_html}</tr>')
