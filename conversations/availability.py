"""When a partner can be booked: weekly windows in the partner's own timezone, minus days off, minus both
people's conversations, within the partner's notice and horizon.

Nothing is stored per slot: slots are computed from the windows whenever they are needed, in UTC. A window is
resolved to real instants on each date separately, so on a daylight-saving change a 09:00–17:00 window still
starts at 09:00 on the partner's clock, and a window across the night change is an hour shorter or longer.
"""

import bisect
import datetime
import functools
import itertools
import zoneinfo
from array import array
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from careerconv import statements
from conversations.calendars import connections
from conversations.calendars.reading import MergedIntervals, instant, microseconds
from conversations.models import (
    ACTIVE_STATUSES,
    AvailabilitySettings,
    AvailabilityWindow,
    CalendarConnection,
    Conversation,
    DayOff,
)
from people.models import Person

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
MINUTE = 60_000_000  # in microseconds
SLOT_KEY_FIRST = datetime.datetime.min.replace(tzinfo=UTC) + datetime.timedelta(days=1)
SLOT_KEY_LAST = datetime.datetime.max.replace(tzinfo=UTC) - datetime.timedelta(days=1)

# A holiday longer than a quarter is not a day off: it is the partner no longer offering conversations.
MAX_DAYS_OFF_AT_ONCE = 92


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def key(self):
        """The slot's start as it travels through URLs and forms: UTC, to the minute (written out, a booking page
        asks it of every time it shows)."""
        at = self.starts_at.astimezone(UTC)
        return f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}Z"


def parse_slot_key(value):
    """The UTC start a slot key names, or None when the text is not one."""
    try:
        starts_at = datetime.datetime.strptime(f"{value}+0000", "%Y-%m-%dT%H:%MZ%z")
    except (TypeError, ValueError):
        return None
    # A time within a day of the ends of what datetime holds has no local date in some timezones (converting it
    # overflows), and is never offered.
    if not SLOT_KEY_FIRST <= starts_at <= SLOT_KEY_LAST:
        return None
    return starts_at


def settings_for(person):
    """The person's availability settings; the defaults (unsaved) for someone who never set them."""
    try:
        return person.availability
    except AvailabilitySettings.DoesNotExist:
        return AvailabilitySettings(person=person)


def local_instant(day, time, tz):
    """The instant a wall-clock time on a date means in a timezone.

    A time that does not exist (skipped by a spring-forward change) is read with the offset before the change, as
    zoneinfo does with fold=0, so it lands just after the gap; an ambiguous time (repeated in autumn) is its first
    occurrence.
    """
    return datetime.datetime.combine(day, time, tzinfo=tz).astimezone(UTC)


def booking_horizon(*, person, settings, now):
    """The first and last dates (in the partner's timezone) that can hold a booking."""
    today = now.astimezone(person.tz).date()
    return today, today + datetime.timedelta(days=7 * settings.weeks_ahead)


def _offered_starts(*, person_pk, timezone, slot_minutes, first_day, last_day):
    """The starts of the slots a partner's weekly windows produce between two of their dates, days off left out,
    soonest first, in microseconds since the epoch (reading.microseconds), read from the database."""
    tz = zoneinfo.ZoneInfo(timezone)
    length = datetime.timedelta(minutes=slot_minutes)
    windows = {}
    for weekday, start_time, end_time in AvailabilityWindow.objects.filter(person_id=person_pk).values_list(
            "weekday", "start_time", "end_time"):
        windows.setdefault(weekday, []).append((start_time, end_time))
    days_off = set(DayOff.objects.filter(person_id=person_pk, date__range=(first_day, last_day)).values_list(
        "date", flat=True))
    starts = array("q")
    day = first_day
    while day <= last_day:
        if day not in days_off:
            found = set()  # overlapping windows offer a time once
            for start_time, end_time in windows.get(day.weekday(), ()):
                start = local_instant(day, start_time, tz)
                end = local_instant(day, end_time, tz)
                while start + length <= end:
                    found.add(microseconds(start))
                    start += length
            starts.extend(sorted(found))
        day += ONE_DAY
    return starts


# Versions of partners' offered slots each process keeps (their starts over the horizon, a few kilobytes each).
OFFERED_KEPT = 256


@functools.lru_cache(maxsize=OFFERED_KEPT)
def _offered_starts_of_version(settings_pk, schedule_version, **what):
    return _offered_starts(**what)


def _kept_offered_starts(*, person, settings, first_day, last_day):
    """_offered_starts, worked out once per process for each version of the partner's windows and days off: the
    database raises the settings row's schedule_version with every change to either, however it is made
    (migration 0016), and the rest of the key is everything else the slots follow from. A partner without a
    settings row has no version, and has them read each time."""
    what = {"person_pk": person.pk, "timezone": person.timezone, "slot_minutes": settings.slot_minutes,
            "first_day": first_day, "last_day": last_day}
    if settings.pk is None:
        return _offered_starts(**what)
    return _offered_starts_of_version(settings.pk, settings.schedule_version, **what)


def window_slots(*, person, settings, first_day, last_day):
    """Every slot the partner's weekly windows produce between two of their dates, days off left out, read from the
    database (what booking checks).

    Conversations and notice are not considered here: this is what the partner offers, not what is free.
    """
    length = settings.slot_minutes * MINUTE
    return [Slot(instant(start), instant(start + length))
            for start in _offered_starts(person_pk=person.pk, timezone=person.timezone,
                                         slot_minutes=settings.slot_minutes, first_day=first_day, last_day=last_day)]


def conflicts(*, people, starts_at, ends_at, exclude_pk=None):
    """Active conversations of any of these people that overlap the interval [starts_at, ends_at)."""
    pks = [person.pk for person in people]
    found = Conversation.objects.active().filter(Q(employee__in=pks) | Q(partner__in=pks), starts_at__lt=ends_at,
                                                 ends_at__gt=starts_at)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.select_related("employee__user", "partner__user").order_by("starts_at"))


@dataclass(frozen=True)
class _Horizon:
    """What a partner can be booked for from `now`: their settings, their first and last dates, and the instants
    from the end of their notice to the end of the last date."""

    settings: AvailabilitySettings
    first_day: datetime.date
    last_day: datetime.date
    earliest: datetime.datetime
    ends_at: datetime.datetime


def _horizon(partner, now):
    settings = settings_for(partner)
    first_day, last_day = booking_horizon(person=partner, settings=settings, now=now)
    return _Horizon(settings=settings, first_day=first_day, last_day=last_day,
                    earliest=now + datetime.timedelta(hours=settings.min_notice_hours),
                    ends_at=local_instant(last_day + ONE_DAY, datetime.time(0), partner.tz))


def _reads(*, partner, employee, horizon, exclude_pk):
    """What free times read besides the partner's row, in one statement: the partner's calendar connections
    (connections.READS, by pk) and (start, end) of the active conversations of either person over the horizon,
    which conflicts() would find there."""
    people = [partner.pk, employee.pk]
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    # The calendars' select comes first: on SQLite the first select's columns decide how the rest are read, and
    # the conversations' times stand where its times do.
    sql = (f"SELECT 0, {connections.READS} FROM {statements.table(CalendarConnection)} WHERE person_id = %s"
           f" UNION ALL SELECT 1, NULL, NULL, starts_at, ends_at, NULL FROM {statements.table(Conversation)}"
           f" WHERE status IN ({statuses}) AND (employee_id IN (%s, %s) OR partner_id IN (%s, %s))"
           f" AND starts_at < %s AND ends_at > %s")
    params = [partner.pk, *ACTIVE_STATUSES, *people, *people, horizon.ends_at, horizon.earliest]
    if exclude_pk is not None:
        sql, params = f"{sql} AND id <> %s", [*params, exclude_pk]
    found = statements.rows(f"{sql} ORDER BY 1, 2", params)
    return [row[1:] for row in found if row[0] == 0], [row[3:5] for row in found if row[0] == 1]


def free_slots(*, partner, employee, now, exclude_pk=None):
    """The partner's slots that the employee can book now, soonest first.

    1. The partner's windows over their booking horizon, days off left out.
    2. Slots that start within the partner's notice period are dropped.
    3. Slots overlapping an active conversation of either person are dropped (`exclude_pk` leaves out the
       conversation being rescheduled, so that its own time does not block the slots around it), and so are those
       overlapping a busy time read from the partner's own calendars. Both are merged into sorted intervals that
       each slot is looked up in by bisection, the partner's busy times once per process.
    """
    return list(free_times(partner=partner, employee=employee, now=now, exclude_pk=exclude_pk)[1])


def free_times(*, partner, employee, now, exclude_pk=None, enqueue=None):
    """(the partner's connections.Calendars, their free slots worked out as they are read): what a booking page
    shows, a week of the horizon, reading no further. `enqueue` asks for a background read of calendars that are
    due one (connections.looked_at).

    In integer microseconds until a slot is found free: the offered starts from the partner's kept ones, from the
    first past the notice period (by bisection), each looked up in the merged conversations and busy times."""
    horizon = _horizon(partner, now)
    calendar_reads, taken = _reads(partner=partner, employee=employee, horizon=horizon, exclude_pk=exclude_pk)
    calendars = connections.looked_at(person=partner, now=now, reads=calendar_reads, enqueue=enqueue)
    return calendars, _free(partner=partner, horizon=horizon, taken=MergedIntervals(taken), busy=calendars.busy)


def _free(*, partner, horizon, taken, busy):
    starts = _kept_offered_starts(person=partner, settings=horizon.settings, first_day=horizon.first_day,
                                  last_day=horizon.last_day)
    length = horizon.settings.slot_minutes * MINUTE
    for start in itertools.islice(starts, bisect.bisect_left(starts, microseconds(horizon.earliest)), None):
        end = start + length
        if taken.free(start, end) and busy.free(start, end):
            yield Slot(instant(start), instant(end))


def add_days_off(*, person, first_day, last_day, note=""):
    """Mark every date from first_day to last_day as a day off; dates already off keep their note.
    Returns how many dates were newly marked."""
    # Counted rather than stepped past last_day, which may be the last date there is.
    dates = [first_day + datetime.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    with transaction.atomic():
        already = set(DayOff.objects.filter(person=person, date__in=dates).values_list("date", flat=True))
        DayOff.objects.bulk_create([DayOff(person=person, date=day, note=note) for day in dates if day not in already],
                                   ignore_conflicts=True)
    return len(dates) - len(already)


@transaction.atomic
def save_availability(*, person, settings, offers_conversations, windows, removed_windows):
    """Save a partner's availability settings, windows and whether they offer conversations to colleagues.

    Only `offers_conversations` is written on the person, so that a people import running at the same moment
    keeps its changes to the rest of the row."""
    settings.save()
    Person.objects.filter(pk=person.pk).update(offers_conversations=offers_conversations)
    person.offers_conversations = offers_conversations
    for window in windows:
        window.person = person
        window.save()
    for window in removed_windows:
        window.delete()
