"""The availability settings page: windows, slot length, notice, days off, and offering conversations."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import AvailabilitySettings, AvailabilityWindow, DayOff

pytestmark = pytest.mark.django_db


def management(total, initial):
    return {"windows-TOTAL_FORMS": str(total), "windows-INITIAL_FORMS": str(initial),
            "windows-MIN_NUM_FORMS": "0", "windows-MAX_NUM_FORMS": "35"}


def settings_data(**overrides):
    return {"action": "save", "slot_minutes": "45", "weeks_ahead": "6", "min_notice_hours": "24", **overrides}


def test_a_new_partner_sets_windows_slot_length_and_offers_conversations(client, mentor, stranger):
    client.force_login(stranger.user)
    data = {
        **settings_data(offers_conversations="on"), **management(2, 0),
        "windows-0-weekday": "1", "windows-0-start_time": "09:30", "windows-0-end_time": "12:00",
        "windows-1-weekday": "", "windows-1-start_time": "", "windows-1-end_time": "",
    }

    response = client.post(reverse("conversations:availability"), data, follow=True)

    assert "Availability saved." in response.content.decode()
    settings = AvailabilitySettings.objects.get(person=stranger)
    assert (settings.slot_minutes, settings.weeks_ahead, settings.min_notice_hours) == (45, 6, 24)
    assert list(AvailabilityWindow.objects.filter(person=stranger).values_list("weekday", "start_time", "end_time")) \
        == [(1, datetime.time(9, 30), datetime.time(12, 0))]
    stranger.refresh_from_db()
    assert stranger.offers_conversations


def test_overlapping_or_backwards_windows_are_marked_and_nothing_is_saved(client, manager):
    client.force_login(manager.user)
    windows = list(AvailabilityWindow.objects.filter(person=manager).order_by("weekday"))
    data = {**settings_data(), **management(len(windows) + 2, len(windows))}
    for index, window in enumerate(windows):
        data.update({f"windows-{index}-id": str(window.pk), f"windows-{index}-weekday": str(window.weekday),
                     f"windows-{index}-start_time": "09:00", f"windows-{index}-end_time": "17:00"})
    extra = len(windows)
    data.update({f"windows-{extra}-weekday": "0", f"windows-{extra}-start_time": "16:00",
                 f"windows-{extra}-end_time": "18:00",
                 f"windows-{extra + 1}-weekday": "5", f"windows-{extra + 1}-start_time": "12:00",
                 f"windows-{extra + 1}-end_time": "11:00"})

    response = client.post(reverse("conversations:availability"), data)

    page = response.content.decode()
    assert "Nothing was saved: please correct what is marked below." in page
    assert "This window overlaps another one on the same day." in page
    assert "The end must be after the start (a window cannot run past midnight)." in page
    assert AvailabilityWindow.objects.filter(person=manager).count() == 5
    assert AvailabilitySettings.objects.get(person=manager).slot_minutes == 30


def test_a_window_can_be_removed(client, manager):
    client.force_login(manager.user)
    windows = list(AvailabilityWindow.objects.filter(person=manager).order_by("weekday"))
    data = {**settings_data(), **management(len(windows), len(windows))}
    for index, window in enumerate(windows):
        data.update({f"windows-{index}-id": str(window.pk), f"windows-{index}-weekday": str(window.weekday),
                     f"windows-{index}-start_time": "09:00", f"windows-{index}-end_time": "17:00"})
    data["windows-4-DELETE"] = "on"

    client.post(reverse("conversations:availability"), data)

    assert sorted(AvailabilityWindow.objects.filter(person=manager).values_list("weekday", flat=True)) == [0, 1, 2, 3]


def test_days_off_are_added_as_a_range_and_removed_one_by_one(client, manager):
    client.force_login(manager.user)
    today = timezone.now().astimezone(manager.tz).date()
    first = today + datetime.timedelta(days=10)

    added = client.post(reverse("conversations:availability"), {
        "action": "add_days_off", "first_day": first.isoformat(),
        "last_day": (first + datetime.timedelta(days=2)).isoformat(), "note": "Conference"}, follow=True)

    assert "3 days off added." in added.content.decode()
    assert DayOff.objects.filter(person=manager).count() == 3
    day_off = DayOff.objects.filter(person=manager).first()
    removed = client.post(reverse("conversations:remove_day_off", args=[day_off.pk]), follow=True)
    assert "is bookable again." in removed.content.decode()
    assert DayOff.objects.filter(person=manager).count() == 2


def test_bad_days_off_are_explained(client, manager):
    client.force_login(manager.user)
    today = timezone.now().astimezone(manager.tz).date()

    past = client.post(reverse("conversations:availability"), {
        "action": "add_days_off", "first_day": (today - datetime.timedelta(days=1)).isoformat()})
    backwards = client.post(reverse("conversations:availability"), {
        "action": "add_days_off", "first_day": (today + datetime.timedelta(days=5)).isoformat(),
        "last_day": (today + datetime.timedelta(days=4)).isoformat()})
    too_long = client.post(reverse("conversations:availability"), {
        "action": "add_days_off", "first_day": today.isoformat(),
        "last_day": (today + datetime.timedelta(days=100)).isoformat()})

    assert "That day is already past." in past.content.decode()
    assert "The last day cannot be before the first." in backwards.content.decode()
    assert "At most 92 days at once." in too_long.content.decode()
    assert not DayOff.objects.exists()


def test_someone_elses_day_off_cannot_be_removed(client, manager, mentor):
    day_off = DayOff.objects.create(person=mentor, date=timezone.now().date() + datetime.timedelta(days=3))
    client.force_login(manager.user)

    assert client.post(reverse("conversations:remove_day_off", args=[day_off.pk])).status_code == 404
    assert DayOff.objects.filter(pk=day_off.pk).exists()


def test_the_page_names_the_partners_timezone(client, manager):
    manager.timezone = "Europe/Berlin"
    manager.save()
    client.force_login(manager.user)

    page = client.get(reverse("conversations:availability")).content.decode()

    assert "Times are in your timezone, <strong>Europe/Berlin</strong>" in page
    assert "Your reports can always book you." in page


def test_a_day_off_on_the_last_date_there_is_is_added(client, manager):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:availability"), {
        "action": "add_days_off", "first_day": "9999-12-30", "last_day": "9999-12-31"}, follow=True)

    assert "2 days off added." in response.content.decode()
    assert list(DayOff.objects.filter(person=manager).values_list("date", flat=True).order_by("date")) == [
        datetime.date(9999, 12, 30), datetime.date(9999, 12, 31)]


def test_a_window_shorter_than_one_conversation_is_marked_and_nothing_is_saved(client, stranger):
    client.force_login(stranger.user)
    data = {
        **settings_data(slot_minutes="60"), **management(1, 0),
        "windows-0-weekday": "2", "windows-0-start_time": "09:00", "windows-0-end_time": "09:30",
    }

    response = client.post(reverse("conversations:availability"), data)

    page = response.content.decode()
    assert "Shorter than one conversation (60 minutes): nobody could book a time in it." in page
    assert not AvailabilityWindow.objects.filter(person=stranger).exists()
    assert not AvailabilitySettings.objects.filter(person=stranger, slot_minutes=60).exists()


def test_days_already_off_are_not_counted_again(client, mentor):
    client.force_login(mentor.user)
    first = (timezone.now() + datetime.timedelta(days=10)).date()
    data = {"action": "add_days_off", "first_day": first.isoformat(),
            "last_day": (first + datetime.timedelta(days=2)).isoformat(), "note": "Holiday"}
    client.post(reverse("conversations:availability"), data)

    again = client.post(reverse("conversations:availability"), data, follow=True)

    assert "Those days were already marked as days off." in again.content.decode()
    assert DayOff.objects.filter(person=mentor).count() == 3


def test_saving_availability_keeps_what_an_import_changed_on_the_person_meanwhile(mentor):
    from conversations import availability
    from people.models import Person

    stale = Person.objects.get(pk=mentor.pk)
    Person.objects.filter(pk=mentor.pk).update(job_title="Staff Engineer")

    availability.save_availability(person=stale, settings=availability.settings_for(stale),
                                   offers_conversations=False, windows=[], removed_windows=[])

    mentor.refresh_from_db()
    assert (mentor.job_title, mentor.offers_conversations) == ("Staff Engineer", False)
