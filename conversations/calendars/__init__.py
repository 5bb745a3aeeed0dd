"""Partners' own calendars: busy times read from an iCalendar subscription address or a CalDAV account, and
conversations written back to a CalDAV calendar.

- reading.py turns iCalendar text into busy intervals (nothing else of an event is kept);
- fetching.py fetches a subscription address safely (timeouts, size limit, redirects, private networks refused);
- caldav_account.py speaks CalDAV through the `caldav` library;
- connections.py holds the domain functions: connect, refresh, disconnect, busy times for booking, staleness.
"""


class CalendarError(Exception):
    """A calendar could not be read or written; `message` is worded for the partner."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
