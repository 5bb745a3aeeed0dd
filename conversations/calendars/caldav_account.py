"""A CalDAV account through the `caldav` library: the account's calendars, their events over a range, and one
event written or removed by its UID."""

from urllib.parse import quote

import caldav
from caldav.lib import error as dav_error
from django.conf import settings

from conversations.calendars import CalendarError
from conversations.calendars.fetching import check_address


def _client(connection):
    check_address(connection.address)
    return caldav.DAVClient(url=connection.address, username=connection.username or None,
                            password=connection.password or None, timeout=settings.CALENDAR_TIMEOUT_SECONDS)


def _failed(error):
    if isinstance(error, CalendarError):
        return error
    if isinstance(error, dav_error.AuthorizationError):
        return CalendarError("The CalDAV server refused the user name or app password.")
    if isinstance(error, dav_error.NotFoundError):
        return CalendarError("The CalDAV server has no calendar at that address.")
    return CalendarError("The CalDAV server could not be reached or did not answer as a calendar server does.")


def list_calendars(connection):
    """The account's calendars as [{"url", "name"}], or CalendarError."""
    try:
        calendars = _client(connection).principal().calendars()
        return [{"url": str(calendar.url), "name": calendar.get_display_name() or str(calendar.url)}
                for calendar in calendars]
    except Exception as error:  # the library and its HTTP client raise many kinds
        raise _failed(error) from error


def read_events(connection, *, starts_at, ends_at):
    """The iCalendar text of every object in the chosen calendars with an occurrence over the range."""
    client = _client(connection)
    texts = []
    try:
        for url in connection.read_calendars:
            calendar = client.calendar(url=url)
            texts += [found.data for found in calendar.search(start=starts_at, end=ends_at, event=True)]
    except Exception as error:
        raise _failed(error) from error
    return texts


def _object_url(calendar_url, uid):
    return calendar_url.rstrip("/") + "/" + quote(uid, safe="") + ".ics"


def put_event(connection, *, calendar_url, uid, text):
    """Write (or overwrite) the event with this UID in one of the account's calendars."""
    try:
        response = _client(connection).put(_object_url(calendar_url, uid), text.encode(),
                                           {"Content-Type": "text/calendar; charset=utf-8"})
    except Exception as error:
        raise _failed(error) from error
    if response.status not in (200, 201, 204):
        raise CalendarError(f"The CalDAV server refused the event ({response.status}).")


def delete_event(connection, *, calendar_url, uid):
    """Remove the event with this UID; one that is already gone is fine."""
    try:
        response = _client(connection).delete(_object_url(calendar_url, uid))
    except Exception as error:
        raise _failed(error) from error
    if response.status not in (200, 204, 404, 410):
        raise CalendarError(f"The CalDAV server refused to remove the event ({response.status}).")
