"""The free times of a booking page."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

DAY = ('<div class="mb-3"><h3 class="h6" id="{id}">{label}</h3>'
       '<ul class="list-unstyled d-flex flex-wrap gap-2 slot-list" aria-labelledby="{id}">{buttons}</ul></div>')
SLOT_BUTTON = ('<li><a class="btn btn-outline-primary slot-button" href="{}?start={}">{}'
               '<span class="visually-hidden"> on {}</span></a></li>')


@register.simple_tag
def week_of_slots(week_days, confirm_url):
    """The week's days (see views.booking._day_of_slots), each a heading and a list of its free times, one link
    each to confirm it.

    Written here rather than by loops in the template: a week holds up to a few hundred times, and template loops
    over them cost more than the rest of the page. Every value is escaped, by the standard library's escape rather
    than Django's, which wraps it in several calls for lazy text that none of these values is."""
    url = escape(str(confirm_url))
    return mark_safe("".join(_day(day, url) for day in week_days))


def _day(day, url):
    label = escape(str(day["label"]))
    buttons = "".join(SLOT_BUTTON.format(url, escape(key), escape(time), label) for key, time in day["slots"])
    return DAY.format(id=escape(day["id"]), label=label, buttons=buttons)
