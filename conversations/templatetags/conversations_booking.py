"""The free times of a booking page."""

from django import template
from django.utils.html import escape, format_html_join

register = template.Library()

SLOT_BUTTON = ('<li><a class="btn btn-outline-primary slot-button" href="{}?start={}">{}'
               '<span class="visually-hidden"> on {}</span></a></li>')


@register.simple_tag
def slot_buttons(day, confirm_url):
    """A day's free times (see views.booking._day_of_slots) as a list's items, one link each to confirm it.

    Written here rather than by a loop in the template: a week holds up to a few hundred times, and a template
    loop over them cost more than the rest of the page."""
    # Escaped once for the whole day rather than once a button.
    url, label = escape(confirm_url), escape(day["label"])
    return format_html_join("", SLOT_BUTTON, ((url, key, time, label) for key, time in day["slots"]))
