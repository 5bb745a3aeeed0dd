"""When a partner can be booked: weekly windows in the partner's own timezone, minus days off, minus both
people's conversations, within the partner's notice and horizon.

Nothing is stored per slot: slots are computed from the windows whenever they are needed, in UTC. A window is
resolved to real instants on each date separately, so on a daylight-saving change a 09:00–17:00 window still
starts at 09:00 on the partner's clock, and a window across the night change is an hour shorter or longer.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from conversations.calendars import connections
from conversations.calendars.reading import MergedIntervals
from conversations.models import AvailabilitySettings, AvailabilityWindow, Conversation, DayOff
from people.models import Person

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
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
        """The slot's start as it travels through URLs and forms: UTC, to the second."""
        return self.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


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


def _offered(*, person, settings, first_day, last_day):
    """The slots the partner's weekly windows produce between two of their dates, days off left out, soonest
    first, worked out a day at a time as they are read."""
    tz = person.tz
    length = datetime.timedelta(minutes=settings.slot_minutes)
    windows = {}
    for weekday, start_time, end_time in AvailabilityWindow.objects.filter(person=person).values_list(
            "weekday", "start_time", "end_time"):
        windows.setdefault(weekday, []).append((start_time, end_time))
    days_off = set(DayOff.objects.filter(person=person, date__range=(first_day, last_day)).values_list("date",
                                                                                                       flat=True))
    day = first_day
    while day <= last_day:
        if day not in days_off:
            slots = {}  # by start: overlapping windows offer a time once
            for start_time, end_time in windows.get(day.weekday(), ()):
                start = local_instant(day, start_time, tz)
                end = local_instant(day, end_time, tz)
                while start + length <= end:
                    slots[start] = Slot(start, start + length)
                    start += length
            for start in sorted(slots):
                yield slots[start]
        day += ONE_DAY


def window_slots(*, person, settings, first_day, last_day):
    """Every slot the partner's weekly windows produce between two of their dates, days off left out.

    Conversations and notice are not considered here: this is what the partner offers, not what is free.
    """
    return list(_offered(person=person, settings=settings, first_day=first_day, last_day=last_day))


def _overlapping(*, people, starts_at, ends_at, exclude_pk=None):
    pks = [person.pk for person in people]
    found = Conversation.objects.active().filter(Q(employee__in=pks) | Q(partner__in=pks), starts_at__lt=ends_at,
                                                 ends_at__gt=starts_at)
    return found.exclude(pk=exclude_pk) if exclude_pk is not None else found


def conflicts(*, people, starts_at, ends_at, exclude_pk=None):
    """Active conversations of any of these people that overlap the interval [starts_at, ends_at)."""
    return list(_overlapping(people=people, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk)
                .select_related("employee__user", "partner__user").order_by("starts_at"))


def free_slots(*, partner, employee, now, exclude_pk=None, busy=None):
    """The partner's slots that the employee can book now, soonest first.

    1. The partner's windows over their booking horizon, days off left out.
    2. Slots that start within the partner's notice period are dropped.
    3. Slots overlapping an active conversation of either person are dropped (`exclude_pk` leaves out the
       conversation being rescheduled, so that its own time does not block the slots around it), and so are those
       overlapping a busy time read from the partner's own calendars (`busy`, when the caller has them already
       from connections.looked_at). Both are merged into sorted intervals that each slot is looked up in by
       bisection, the partner's busy times once per process.
    """
    return list(iter_free_slots(partner=partner, employee=employee, now=now, exclude_pk=exclude_pk, busy=busy))


def iter_free_slots(*, partner, employee, now, exclude_pk=None, busy=None):
    """free_slots worked out as they are read, for a page that shows a week of the horizon and reads no further."""
    settings = settings_for(partner)
    first_day, last_day = booking_horizon(person=partner, settings=settings, now=now)
    earliest = now + datetime.timedelta(hours=settings.min_notice_hours)
    horizon_end = local_instant(last_day + ONE_DAY, datetime.time(0), partner.tz)
    taken = MergedIntervals(_overlapping(people=[partner, employee], starts_at=earliest, ends_at=horizon_end,
                                         exclude_pk=exclude_pk).values_list("starts_at", "ends_at"))
    if busy is None:
        busy = connections.busy_times(person=partner)
    offered = _offered(person=partner, settings=settings, first_day=first_day, last_day=last_day)
    return busy.outside(taken.outside(slot for slot in offered if slot.starts_at >= earliest))


def group_by_day(slots, *, tz):
    """[(date, [slots])] in a viewer's timezone: the same slot can fall on another date for them."""
    days = {}
    for slot in slots:
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return sorted(days.items())


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
