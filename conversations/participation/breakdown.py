"""One page of a breakdown, searched and sorted on the server: at a large organisation the breakdown by manager has
thousands of rows, too many to send to a browser and sort there."""

from dataclasses import dataclass

from django.core.paginator import Paginator

from conversations.participation.catalogue import BY_KEY

NAME = "name"
PER_PAGE = 50


@dataclass
class BreakdownPage:
    page: object  # a django.core.paginator.Page of groups
    matching: int
    find: str
    sort: str
    descending: bool


def breakdown_page(groups, *, find="", sort=NAME, descending=False, page=1, per_page=PER_PAGE):
    """The groups whose name contains `find`, ordered by `sort` (NAME or a catalogue key), one page of them.

    Groups of fewer than the minimum size have no figures to order by: they stay last whichever way the order goes,
    as do groups without a value for the figure (no conversation held, so no median). `groups` comes in name order,
    which the sort keeps among equal values.
    """
    needle = find.strip().casefold()
    if needle:
        groups = [group for group in groups if needle in group.name.casefold()]
    shown = [group for group in groups if not group.figures.suppressed]
    suppressed = [group for group in groups if group.figures.suppressed]
    if sort == NAME:
        ordered = shown[::-1] if descending else shown
    else:
        figure = BY_KEY[sort]
        valued = [group for group in shown if figure.sort_value(group.figures) is not None]
        valued.sort(key=lambda group: figure.sort_value(group.figures), reverse=descending)
        ordered = valued + [group for group in shown if figure.sort_value(group.figures) is None]
    ordered += suppressed
    paginator = Paginator(ordered, per_page)
    return BreakdownPage(page=paginator.get_page(page), matching=len(ordered), find=find.strip(), sort=sort,
                         descending=descending)
