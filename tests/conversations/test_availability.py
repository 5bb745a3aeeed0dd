"""Free slots: the partner's weekly windows in their timezone, minus days off, minus both people's conversations,
within the partner's notice and horizon; daylight-saving changes on either side."""

import datetime
import zoneinfo

import pytest

from conversations import availability
from conversations.models import AvailabilityWindow, Conversation, DayOff
from tests.support.factories import AvailabilityFactory, ConversationFactory, PersonFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 2 March 2026, 08:00 UTC: London is on GMT (UTC+0) until 29 March, New York on EST until 8 March.
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def by_local_day(slots, tz):
    """[(date, [slots])] in a viewer's timezone, as the booking page groups them."""
    days = {}
    for slot in slots:
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return sorted(days.items())


def test_slots_start_after_the_notice_and_fill_the_windows(manager, employee):
    slots = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)

    # 12 hours' notice from Monday 08:00 rules out the rest of Monday.
    assert [slot.starts_at for slot in slots[:3]] == [at(2026, 3, 3, 9, 0), at(2026, 3, 3, 9, 30),
                                                      at(2026, 3, 3, 10, 0)]
    assert slots[0].ends_at == at(2026, 3, 3, 9, 30)
    tuesday = [slot for slot in slots if slot.starts_at.date() == datetime.date(2026, 3, 3)]
    assert len(tuesday) == 16
    assert tuesday[-1].starts_at == at(2026, 3, 3, 16, 30)


def test_slots_reach_the_horizon_and_follow_the_partners_clock_across_daylight_saving(manager, employee):
    slots = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)

    # Four weeks ahead: Tuesday 3 to Monday 30 March, 20 working days of 16 slots.
    assert len(slots) == 320
    # London moves to BST on Sunday 29 March: 09:00 on Maya's clock is then 08:00 UTC.
    assert slots[-16].starts_at == at(2026, 3, 30, 8, 0)
    assert slots[-1].starts_at == at(2026, 3, 30, 15, 30)


def test_an_employee_in_new_york_sees_the_same_slots_at_their_own_hours_through_both_changes(manager, employee):
    new_york = zoneinfo.ZoneInfo("America/New_York")
    slots = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)

    days = dict(by_local_day(slots, new_york))

    first_local = {day: day_slots[0].starts_at.astimezone(new_york).strftime("%H:%M %Z")
                   for day, day_slots in days.items()}
    assert first_local[datetime.date(2026, 3, 3)] == "04:00 EST"
    # New York changes on 8 March, London on 29 March: for three weeks the gap is four hours.
    assert first_local[datetime.date(2026, 3, 10)] == "05:00 EDT"
    assert first_local[datetime.date(2026, 3, 30)] == "04:00 EDT"


def test_a_slot_can_fall_on_another_date_for_the_employee():
    partner = PersonFactory(timezone="Asia/Tokyo", offers_conversations=True)
    AvailabilityFactory(person=partner, slot_minutes=60, min_notice_hours=0)
    AvailabilityWindow.objects.create(person=partner, weekday=0, start_time=datetime.time(9),
                                      end_time=datetime.time(10))
    employee = PersonFactory(timezone="America/Los_Angeles")

    slots = availability.free_slots(partner=partner, employee=employee, now=MONDAY_MORNING)

    # Monday 09:00 in Tokyo is Sunday 16:00 in Los Angeles (PST), then 17:00 once LA is on PDT.
    days = by_local_day(slots, employee.tz)
    assert [(day, [s.starts_at.astimezone(employee.tz).strftime("%a %H:%M") for s in day_slots])
            for day, day_slots in days] == [
        (datetime.date(2026, 3, 8), ["Sun 17:00"]),
        (datetime.date(2026, 3, 15), ["Sun 17:00"]),
        (datetime.date(2026, 3, 22), ["Sun 17:00"]),
        (datetime.date(2026, 3, 29), ["Sun 17:00"]),
    ]


def test_a_window_across_the_spring_change_is_an_hour_shorter():
    partner = PersonFactory(timezone="Europe/London", offers_conversations=True)
    settings = AvailabilityFactory(person=partner, slot_minutes=60)
    AvailabilityWindow.objects.create(person=partner, weekday=6, start_time=datetime.time(0),
                                      end_time=datetime.time(4))

    slots = availability.window_slots(person=partner, settings=settings, first_day=datetime.date(2026, 3, 29),
                                      last_day=datetime.date(2026, 3, 29))

    # 00:00 GMT to 04:00 BST is three real hours: local 00:00, 02:00 and 03:00.
    assert [slot.starts_at for slot in slots] == [at(2026, 3, 29, 0), at(2026, 3, 29, 1), at(2026, 3, 29, 2)]


def test_a_window_across_the_autumn_change_is_an_hour_longer():
    partner = PersonFactory(timezone="Europe/London", offers_conversations=True)
    settings = AvailabilityFactory(person=partner, slot_minutes=60)
    AvailabilityWindow.objects.create(person=partner, weekday=6, start_time=datetime.time(0),
                                      end_time=datetime.time(3))

    slots = availability.window_slots(person=partner, settings=settings, first_day=datetime.date(2026, 10, 25),
                                      last_day=datetime.date(2026, 10, 25))

    # 00:00 BST to 03:00 GMT is four real hours: local 00:00 BST, 01:00 BST, 01:00 GMT, 02:00 GMT.
    assert [slot.starts_at for slot in slots] == [at(2026, 10, 24, 23), at(2026, 10, 25, 0), at(2026, 10, 25, 1),
                                                  at(2026, 10, 25, 2)]


def test_days_off_leave_no_slots(manager, employee):
    DayOff.objects.create(person=manager, date=datetime.date(2026, 3, 4))

    slots = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)

    assert [slot for slot in slots if slot.starts_at.date() == datetime.date(2026, 3, 4)] == []
    assert len(slots) == 320 - 16


def test_both_peoples_conversations_take_their_slots_and_cancelled_ones_do_not(manager, employee, mentor):
    ConversationFactory(employee=PersonFactory(manager=manager), partner=manager,
                        starts_at=at(2026, 3, 3, 10, 0), ends_at=at(2026, 3, 3, 10, 30))
    # The employee's own conversation elsewhere, off the partner's grid: it blocks the two slots it overlaps.
    ConversationFactory(employee=employee, partner=mentor, starts_at=at(2026, 3, 3, 11, 15),
                        ends_at=at(2026, 3, 3, 11, 45))
    ConversationFactory(employee=employee, partner=manager, starts_at=at(2026, 3, 3, 13, 0),
                        ends_at=at(2026, 3, 3, 13, 30), status=Conversation.Status.CANCELLED)
    # The partner as someone else's employee is busy too.
    ConversationFactory(employee=manager, partner=mentor, starts_at=at(2026, 3, 3, 15, 0),
                        ends_at=at(2026, 3, 3, 16, 0))

    slots = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)

    tuesday = [slot.starts_at.strftime("%H:%M") for slot in slots if slot.starts_at.date() == datetime.date(2026, 3, 3)]
    assert tuesday == ["09:00", "09:30", "10:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30",
                       "16:00", "16:30"]


def test_the_conversation_being_moved_does_not_block_its_own_neighbourhood(manager, employee):
    settings = manager.availability
    settings.slot_minutes = 60
    settings.save()
    moving = ConversationFactory(employee=employee, partner=manager, starts_at=at(2026, 3, 3, 9, 30),
                                 ends_at=at(2026, 3, 3, 10, 0))

    blocked = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING)
    free = availability.free_slots(partner=manager, employee=employee, now=MONDAY_MORNING, exclude_pk=moving.pk)

    assert at(2026, 3, 3, 9, 0) not in [slot.starts_at for slot in blocked]
    assert at(2026, 3, 3, 9, 0) in [slot.starts_at for slot in free]


def test_a_partner_without_windows_has_no_slots(employee):
    partner = PersonFactory(offers_conversations=True)

    assert availability.free_slots(partner=partner, employee=employee, now=MONDAY_MORNING) == []


def test_overlapping_windows_give_each_slot_once(employee):
    partner = PersonFactory(offers_conversations=True)
    AvailabilityFactory(person=partner, slot_minutes=60, min_notice_hours=0, weeks_ahead=1)
    AvailabilityWindow.objects.create(person=partner, weekday=1, start_time=datetime.time(9),
                                      end_time=datetime.time(11))
    AvailabilityWindow.objects.create(person=partner, weekday=1, start_time=datetime.time(10),
                                      end_time=datetime.time(12))

    slots = availability.free_slots(partner=partner, employee=employee, now=MONDAY_MORNING)

    assert [slot.starts_at for slot in slots] == [at(2026, 3, 3, 9), at(2026, 3, 3, 10), at(2026, 3, 3, 11)]


def test_slot_keys_round_trip_and_nonsense_is_refused():
    slot = availability.Slot(at(2026, 3, 3, 9, 30), at(2026, 3, 3, 10, 0))

    assert slot.key == "2026-03-03T09:30Z"
    assert availability.parse_slot_key(slot.key) == at(2026, 3, 3, 9, 30)
    assert availability.parse_slot_key("2026-03-03 09:30") is None
    assert availability.parse_slot_key("<script>") is None
    assert availability.parse_slot_key(None) is None


def test_adding_days_off_covers_the_range_and_keeps_existing_ones(manager):
    DayOff.objects.create(person=manager, date=datetime.date(2026, 4, 7), note="Dentist")

    added = availability.add_days_off(person=manager, first_day=datetime.date(2026, 4, 6),
                                      last_day=datetime.date(2026, 4, 10), note="Easter")

    assert added == 4  # the 7th was already off
    assert list(DayOff.objects.filter(person=manager).values_list("date", "note")) == [
        (datetime.date(2026, 4, 6), "Easter"), (datetime.date(2026, 4, 7), "Dentist"),
        (datetime.date(2026, 4, 8), "Easter"), (datetime.date(2026, 4, 9), "Easter"),
        (datetime.date(2026, 4, 10), "Easter"),
    ]

