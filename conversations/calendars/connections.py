"""Connecting a partner's calendars, reading their busy times, and what booking asks of them.

Busy times are read in the background (Celery beat, and when a booking page finds them a few minutes old) and
kept as BusyInterval rows over the booking horizon, so that free times never wait on a remote server. A read that
fails keeps the last good intervals and records its error for the partner to see.
"""

import datetime
import functools
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from conversations.calendars import CalendarError, caldav_account, fetching, reading
from conversations.models import BusyInterval, CalendarConnection
from conversations.notifications import Notice, notify

logger = logging.getLogger(__name__)

# Read from a day back, so that a meeting already under way still blocks the rest of its time, to past the
# longest booking horizon there is (AvailabilitySettings.weeks_ahead is at most 12), so that a change of
# horizon needs no new read.
READ_BEHIND = datetime.timedelta(days=1)
READ_AHEAD = datetime.timedelta(weeks=12, days=2)


def read_range(now):
    return now - READ_BEHIND, now + READ_AHEAD


def _label(address, username=""):
    try:
        host = urlsplit(address).hostname or "calendar"
    except ValueError:  # an address that cannot be read is refused by the read that follows
        host = "calendar"
    return f"{username} at {host}" if username else host


# --- Connecting ------------------------------------------------------------------------------------------------


def connect_subscription(*, person, address, now):
    """Connect an iCalendar subscription address, read once first: an address that cannot be read is not saved
    (CalendarError says why)."""
    address = fetching.normalise(address)
    connection = CalendarConnection(person=person, kind=CalendarConnection.Kind.SUBSCRIPTION, address=address,
                                    label=_label(address), created_at=now)
    intervals, fetched = _read_subscription(connection, now=now, conditional=False)
    with transaction.atomic():
        connection.save()
        _store(connection, intervals, now=now, fetched=fetched)
    return connection


def connect_caldav(*, person, address, username, password, now):
    """Connect a CalDAV account: its calendars are listed, and all are read until the partner chooses."""
    connection = CalendarConnection(person=person, kind=CalendarConnection.Kind.CALDAV, address=address.strip(),
                                    username=username, password=password, label=_label(address, username),
                                    created_at=now)
    connection.calendars = caldav_account.list_calendars(connection)
    if not connection.calendars:
        raise CalendarError("The account has no calendars.")
    connection.read_calendars = [calendar["url"] for calendar in connection.calendars]
    intervals = _read_caldav(connection, now=now)
    with transaction.atomic():
        connection.save()
        _store(connection, intervals, now=now)
    return connection


def choose_calendars(*, connection, read, write, now):
    """Which of a CalDAV account's calendars are read for busy times, and which one (if any) conversations are
    written to; calendars not in the account's list are ignored. Reads again with the new choice."""
    known = {calendar["url"] for calendar in connection.calendars}
    connection.read_calendars = [url for url in read if url in known]
    connection.write_calendar = write if write in known else ""
    connection.save(update_fields=["read_calendars", "write_calendar"])
    return refresh(connection, now=now)


def disconnect(*, connection):
    """Forget the calendar, its secrets and its busy times. Conversations already written to it stay there."""
    connection.delete()


# --- Reading ---------------------------------------------------------------------------------------------------


def _addresses(person):
    return [person.email] if person.email else []


def _read_subscription(connection, *, now, conditional):
    starts_at, ends_at = read_range(now)
    fetched = fetching.fetch(connection.address, etag=connection.etag if conditional else "",
                             last_modified=connection.last_modified if conditional else "")
    if fetched.not_modified:
        return None, fetched
    person = connection.person
    return reading.busy_intervals(fetched.text, tz=person.tz, starts_at=starts_at, ends_at=ends_at,
                                  addresses=_addresses(person)), fetched


def _read_caldav(connection, *, now):
    starts_at, ends_at = read_range(now)
    person = connection.person
    intervals = []
    for text in caldav_account.read_events(connection, starts_at=starts_at, ends_at=ends_at):
        intervals += reading.busy_intervals(text, tz=person.tz, starts_at=starts_at, ends_at=ends_at,
                                            addresses=_addresses(person))
    return reading.merge(intervals)


def _store(connection, intervals, *, now, fetched=None):
    """Record a good read: the intervals (None when the server said nothing changed) replace the last ones."""
    fields = {"last_attempt_at": now, "last_success_at": now, "last_error": "", "stale_notified_at": None}
    if intervals is not None:
        fields["busy_version"] = F("busy_version") + 1
        BusyInterval.objects.filter(connection=connection).delete()
        BusyInterval.objects.bulk_create([
            BusyInterval(connection=connection, person_id=connection.person_id, starts_at=start, ends_at=end)
            for start, end in intervals])
        fields["read_until"] = read_range(now)[1]
        if fetched is not None:
            fields.update(etag=fetched.etag[:500], last_modified=fetched.last_modified[:100])
    CalendarConnection.objects.filter(pk=connection.pk).update(**fields)
    fields.pop("busy_version", None)
    for name, value in fields.items():
        setattr(connection, name, value)


def refresh(connection, *, now):
    """Read one calendar again. True when it was read; False (its error recorded, the last good busy times kept)
    when it could not be."""
    try:
        if connection.kind == CalendarConnection.Kind.SUBSCRIPTION:
            # A 304 only says the file is unchanged: it is trusted while the last full read still reaches far
            # enough ahead.
            conditional = connection.read_until is not None and connection.read_until >= now + READ_AHEAD \
                - datetime.timedelta(days=1)
            intervals, fetched = _read_subscription(connection, now=now, conditional=conditional)
        else:
            intervals, fetched = _read_caldav(connection, now=now), None
    except CalendarError as error:
        CalendarConnection.objects.filter(pk=connection.pk).update(last_attempt_at=now, last_error=error.message)
        connection.last_attempt_at, connection.last_error = now, error.message
        logger.info("calendar %s not read: %s", connection.pk, error.message)
        return False
    with transaction.atomic():
        _store(connection, intervals, now=now, fetched=fetched)
    return True


def refresh_due(*, now):
    """Read every calendar not tried for CALENDAR_REFRESH_MINUTES. One that fails never stops the others."""
    due = now - datetime.timedelta(minutes=settings.CALENDAR_REFRESH_MINUTES)
    read = 0
    for connection in (CalendarConnection.objects.select_related("person__user")
                       .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=due))):
        try:
            read += refresh(connection, now=now)
        except Exception:
            logger.exception("calendar %s: unexpected error while reading", connection.pk)
    return read


@dataclass(frozen=True)
class Calendars:
    """What a booking page needs of a partner's calendars: their busy times, merged (reading.MergedIntervals), and
    when they were last read if that is too long ago to trust (see last_checked_if_stale), else None."""

    busy: reading.MergedIntervals
    stale_since: datetime.datetime | None


# What a booking page reads of each connection: (pk, busy_version, last_attempt_at, last_success_at, created_at).
READS = "id, busy_version, last_attempt_at, last_success_at, created_at"


def looked_at(*, person, now, reads, enqueue=None):
    """A booking page of the person is shown, with `reads`: their connections as READS selects them, by pk (read
    with the page's other rows, in availability). Calendars last tried more than CALENDAR_REFRESH_ON_VIEW_MINUTES
    ago are read again in the background (`enqueue(connection_id)`, when given), for a page that must not wait on
    a remote server; each is asked for once per that period by this process, however many pages are opened
    meanwhile. Returns their Calendars as they stand."""
    period = datetime.timedelta(minutes=settings.CALENDAR_REFRESH_ON_VIEW_MINUTES)
    due = [pk for pk, _, attempted, _, _ in reads if attempted is None or attempted < now - period]
    for pk in due if enqueue is not None else ():
        if cache.add(f"calendar-refresh-asked:{pk}", True, timeout=period.total_seconds()):
            try:
                enqueue(pk)
            except Exception:  # a broker that is down: the periodic read catches up
                logger.exception("background read of calendar %s not queued", pk)
    return Calendars(busy=_busy_times(person, tuple((pk, version) for pk, version, _, _, _ in reads)),
                     stale_since=_stale_since([(success, created) for _, _, _, success, created in reads], now=now))


# --- What booking asks ---------------------------------------------------------------------------------------


def busy_between(*, person, starts_at, ends_at):
    """The person's busy intervals [(start, end)] overlapping the range, by start (they may overlap each other),
    read from the database: what booking checks under its lock."""
    return list(BusyInterval.objects.filter(person=person, starts_at__lt=ends_at, ends_at__gt=starts_at)
                .order_by("starts_at").values_list("starts_at", "ends_at"))


# Partners whose merged busy times each process keeps (a few tens of kilobytes each).
BUSY_TIMES_KEPT = 256
NO_BUSY_TIMES = reading.MergedIntervals(())


def _busy_times(person, versions):
    """A partner with thousands of busy times has them read from the database and merged once per process, then
    kept under their connections' busy versions ((pk, busy_version) of each): every read that stores intervals
    raises its connection's version, and a disconnection or erasure removes the connection, so the key changes
    with the rows and no process serves busy times other than the database's. Kept in the process itself rather
    than in Django's cache, which would unpickle thousands of datetimes on every page."""
    return _merged_busy_times(person.pk, versions) if versions else NO_BUSY_TIMES


@functools.lru_cache(maxsize=BUSY_TIMES_KEPT)
def _merged_busy_times(person_pk, versions):
    return reading.MergedIntervals(BusyInterval.objects.filter(person_id=person_pk)
                                   .values_list("starts_at", "ends_at"))


def last_checked_if_stale(*, person, now):
    """When the person's calendars were last read, if one of them has not been for CALENDAR_STALE_HOURS (the
    oldest such read, or its connection time when it never was); None when all are fresh or there are none."""
    return _stale_since(CalendarConnection.objects.filter(person=person).values_list("last_success_at", "created_at"),
                        now=now)


def _stale_since(reads, *, now):
    limit = now - datetime.timedelta(hours=settings.CALENDAR_STALE_HOURS)
    stale = [success or created for success, created in reads if (success or created) < limit]
    return min(stale) if stale else None


def notify_stale(*, now):
    """Tell each partner once (bell and e-mail) that a calendar of theirs has not been read for
    CALENDAR_STALE_HOURS; a good read clears the mark, so that the next spell of failures is told again."""
    limit = now - datetime.timedelta(hours=settings.CALENDAR_STALE_HOURS)
    stale = CalendarConnection.objects.filter(stale_notified_at__isnull=True).filter(
        Q(last_success_at__lt=limit) | Q(last_success_at__isnull=True, created_at__lt=limit))
    told = 0
    for connection in stale.select_related("person__user"):
        # Claimed by a conditional update, so that two beat ticks or workers racing tell the partner once.
        if not CalendarConnection.objects.filter(pk=connection.pk, stale_notified_at__isnull=True) \
                .update(stale_notified_at=now):
            continue
        person = connection.person
        title = f"Your calendar {connection.label} could not be read"
        body = (f"careerconv has not been able to read {connection.label} for more than "
                f"{settings.CALENDAR_STALE_HOURS} hours ({connection.last_error or 'no answer'}). People booking "
                "you are told so, and may book times that calendar knows are busy. Please check it on your "
                "availability page.")
        url = reverse("conversations:availability")
        notify(Notice(recipient=person, title=title, body=body, url=url))
        if person.email:
            try:
                send_mail(title, f"{body}\n\n{settings.SITE_URL}{url}\n", None, [person.email])
            except OSError:
                logger.exception("stale calendar e-mail to person %s not sent", person.pk)
        told += 1
    return told
