"""Busy intervals from iCalendar text.

Recurrences (RRULE, RDATE, EXDATE and moved or cancelled occurrences by RECURRENCE-ID) are expanded by
`recurring-ical-events`, a maintained library that follows RFC 5545 closely, rather than by code of our own;
`x-wr-timezone` first turns Google's calendar-wide X-WR-TIMEZONE into ordinary TZIDs. Custom VTIMEZONEs are read by
`icalendar`. Only start and end survive: titles, descriptions and attendees are never returned.
"""

import bisect
import datetime
from array import array

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

from conversations.calendars import CalendarError

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = datetime.timedelta(microseconds=1)
# careerconv's own conversations, written back or sent as invitations, carry this UID suffix (calendar.event_uid):
# the booking already counts them, so they are not counted twice.
OWN_UID_SUFFIX = "@careerconv"
NOT_A_CALENDAR = "The address did not give a calendar that can be read (it is not in iCalendar format)."


def parse(text):
    """The calendars in iCalendar text (a file may hold several), or CalendarError."""
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises ValueError, KeyError and others on broken input
        raise CalendarError(NOT_A_CALENDAR) from error
    if not calendars:
        raise CalendarError(NOT_A_CALENDAR)
    return calendars


def _instant(value, tz):
    """An aware UTC instant: floating times and all-day dates are read on the partner's clock."""
    if isinstance(value, datetime.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
    return datetime.datetime.combine(value, datetime.time(), tzinfo=tz).astimezone(UTC)


def _declined(event, addresses):
    attendees = event.get("ATTENDEE", [])
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee).lower().removeprefix("mailto:")
        if address in addresses and str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED":
            return True
    return False


def _is_busy(event, addresses):
    if str(event.get("UID", "")).endswith(OWN_UID_SUFFIX):
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    # All-day events are busy unless marked free, like timed ones: TRANSP defaults to OPAQUE.
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    return not _declined(event, addresses)


def busy_intervals(text, *, tz, starts_at, ends_at, addresses=()):
    """The merged busy intervals [(start, end)] in UTC, sorted, clipped to [starts_at, ends_at).

    `tz` is the partner's timezone, for floating times and all-day events; `addresses` are the partner's e-mail
    addresses, so that invitations they declined are left out.
    """
    addresses = {address.lower() for address in addresses}
    found = []
    for calendar in parse(text):
        try:
            calendar = x_wr_timezone.to_standard(calendar)
            occurrences = recurring_ical_events.of(calendar).between(starts_at, ends_at)
            for event in occurrences:
                if event.name != "VEVENT" or not _is_busy(event, addresses):
                    continue
                start, end = _instant(event.start, tz), _instant(event.end, tz)
                start, end = max(start, starts_at), min(end, ends_at)
                if end > start:
                    found.append((start, end))
        except CalendarError:
            raise
        except Exception as error:  # a broken rule or date deep in the file
            raise CalendarError(NOT_A_CALENDAR) from error
    return merge(found)


def merge(intervals):
    """Sorted intervals with overlapping and touching ones joined."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def microseconds(instant):
    """An aware datetime as integer microseconds since the epoch, the unit of MergedIntervals."""
    return (instant - EPOCH) // MICROSECOND


def instant(microseconds):
    """The aware UTC datetime of integer microseconds since the epoch."""
    return EPOCH + datetime.timedelta(microseconds=microseconds)


class MergedIntervals:
    """Intervals merged once, then asked whether a time overlaps any of them by bisection, so that checking a page's
    hundreds of slots against thousands of busy times costs a logarithm per slot rather than a walk over all the
    intervals. Kept as integer microseconds since the epoch: exact, and a fraction of the memory of datetimes
    for a copy that each process keeps (connections._busy_times)."""

    def __init__(self, intervals):
        merged = merge(intervals)
        self.starts = array("q", [microseconds(start) for start, _ in merged])
        self.ends = array("q", [microseconds(end) for _, end in merged])

    def free(self, start, end):
        """Whether [start, end), in microseconds since the epoch, overlaps none of the intervals."""
        # Merged intervals are sorted by end as well as by start: those before the first one ending after `start`
        # cannot reach it, and those after it start later than it does.
        index = bisect.bisect_right(self.ends, start)
        return index == len(self.starts) or self.starts[index] >= end
