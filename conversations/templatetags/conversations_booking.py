"""The free times of a booking page."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

SLOT_BUTTON = ('<li><a class="btn btn-outline-primary slot-button" href="{}?start={}">{}'
               '<span class="visually-hidden"> on {}</span></a></li>')


@register.simple_tag
def slot_buttons(day, confirm_url):
    """A day's free times (see views.booking._day_of_slots) as a list's items, one link each to confirm it.

    Written here rather than by a loop in the template: a week holds up to a few hundred times, and a template
    loop over them cost more than the rest of the page. Every value is escaped, by the standard library's escape
    rather than Django's, which wraps it in several calls for lazy text that none of these values is."""
    url, label = escape(str(confirm_url)), escape(str(day["label"]))
    return mark_safe("".join(SLOT_BUTTON.format(url, escape(key), escape(time), label)
                             for key, time in day["slots"]))
