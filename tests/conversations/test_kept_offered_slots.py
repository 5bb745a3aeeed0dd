"""The slots a partner offers are worked out once per process and kept under the schedule version that the
database raises with every write to their windows and days off, however it is made."""

import datetime

import pytest

from conversations import availability
from conversations.models import AvailabilitySettings, AvailabilityWindow, DayOff
from people.models import Person
from tests.support.factories import PersonFactory, weekday_windows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TUESDAY = datetime.date(2026, 3, 3)


def version(person):
    return AvailabilitySettings.objects.get(person=person).schedule_version


def fresh(person):
    """The partner as a booking page reads them: with their settings row."""
    return Person.objects.select_related("user", "availability").get(pk=person.pk)


def tuesday_times(partner, employee):
    return [f"{slot.starts_at:%H:%M}" for slot in availability.free_slots(
        partner=fresh(partner), employee=employee, now=MONDAY_MORNING) if slot.starts_at.date() == TUESDAY]


def test_every_kind_of_write_to_windows_and_days_off_raises_the_version(manager, employee):
    other = PersonFactory()
    AvailabilitySettings.objects.create(person=other)
    before = version(manager)

    window = AvailabilityWindow.objects.create(person=manager, weekday=5, start_time=datetime.time(9),
                                               end_time=datetime.time(10))
    assert version(manager) == before + 1
    AvailabilityWindow.objects.filter(pk=window.pk).update(end_time=datetime.time(11))
    assert version(manager) == before + 2
    DayOff.objects.bulk_create([DayOff(person=manager, date=TUESDAY), DayOff(person=manager, date=TUESDAY
                                                                              + datetime.timedelta(days=1))])
    assert version(manager) == before + 4
    DayOff.objects.filter(person=manager).delete()
    assert version(manager) == before + 6
    # Moved to someone else: both people's slots change.
    other_before = version(other)
    AvailabilityWindow.objects.filter(pk=window.pk).update(person=other)
    assert version(manager) == before + 7
    assert version(other) == other_before + 1
    # A write elsewhere leaves the version alone.
    DayOff.objects.create(person=employee, date=TUESDAY)
    assert version(manager) == before + 7


def test_saving_settings_read_before_a_change_keeps_the_newer_version(manager):
    settings = AvailabilitySettings.objects.get(person=manager)
    DayOff.objects.create(person=manager, date=TUESDAY)
    raised = version(manager)

    settings.slot_minutes = 60
    settings.save()

    saved = AvailabilitySettings.objects.get(person=manager)
    assert (saved.slot_minutes, saved.schedule_version) == (60, raised)


def test_free_times_follow_changes_made_behind_the_applications_back(manager, employee):
    assert tuesday_times(manager, employee)[:3] == ["09:00", "09:30", "10:00"]

    # As the admin or a script would: no domain function, only the database's triggers to tell.
    AvailabilityWindow.objects.filter(person=manager).update(start_time=datetime.time(13))
    assert tuesday_times(manager, employee)[:3] == ["13:00", "13:30", "14:00"]

    DayOff.objects.create(person=manager, date=TUESDAY)
    assert tuesday_times(manager, employee) == []

    DayOff.objects.filter(person=manager).delete()
    assert len(tuesday_times(manager, employee)) == 8


def test_the_slot_length_and_timezone_are_part_of_what_is_kept(manager, employee):
    assert len(tuesday_times(manager, employee)) == 16

    AvailabilitySettings.objects.filter(person=manager).update(slot_minutes=60)
    assert len(tuesday_times(manager, employee)) == 8

    Person.objects.filter(pk=manager.pk).update(timezone="Europe/Paris")
    assert tuesday_times(manager, employee)[0] == "08:00"


def test_a_partner_without_settings_has_their_slots_read_each_time(employee):
    partner = PersonFactory(offers_conversations=True)
    weekday_windows(partner)
    # The defaults: 45-minute slots.
    assert tuesday_times(partner, employee)[:2] == ["09:00", "09:45"]

    AvailabilityWindow.objects.filter(person=partner).update(start_time=datetime.time(13))
    assert tuesday_times(partner, employee)[:2] == ["13:00", "13:45"]
