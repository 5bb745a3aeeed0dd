"""Subscription addresses served by a local HTTP server: conditional reads, and every way a read can fail ending
with a clear message, the last good busy times kept, and no crash."""

import datetime

import pytest
from django.urls import reverse

from conversations import availability
from conversations.calendars import connections
from conversations.models import AvailabilitySettings, CalendarConnection
from tests.support.factories import PersonFactory, weekday_windows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\nUID:standup\r\n"
        b"DTSTAMP:20270101T000000Z\r\nSUMMARY:Standup\r\nDTSTART:20270302T090000Z\r\nDTEND:20270302T093000Z\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def subscribed(feed_server):
    feed_server.body, feed_server.headers = FEED, {"ETag": '"v1"', "Content-Type": "text/calendar"}
    return connections.connect_subscription(person=PersonFactory(), address=feed_server.url, now=NOW)


def test_an_unchanged_calendar_is_read_with_its_etag_and_answered_304(feed_server, subscribed):
    assert connections.refresh(subscribed, now=NOW + datetime.timedelta(minutes=30))

    assert feed_server.requests[-1]["If-None-Match"] == '"v1"'
    subscribed.refresh_from_db()
    assert subscribed.last_success_at == NOW + datetime.timedelta(minutes=30)
    assert list(subscribed.busy_intervals.values_list("starts_at", "ends_at")) == [
        (datetime.datetime(2027, 3, 2, 9, 0, tzinfo=UTC), datetime.datetime(2027, 3, 2, 9, 30, tzinfo=UTC))]


def test_free_times_follow_each_read_and_a_disconnection_at_once(feed_server, subscribed):
    partner, employee = subscribed.person, PersonFactory()
    AvailabilitySettings.objects.create(person=partner, slot_minutes=30, weeks_ahead=1, min_notice_hours=1)
    weekday_windows(partner, start=datetime.time(9), end=datetime.time(11))

    def free_on_2_march():
        return [slot.starts_at.strftime("%H:%M") for slot in availability.free_slots(
            partner=partner, employee=employee, now=NOW) if slot.starts_at.date() == datetime.date(2027, 3, 2)]

    assert free_on_2_march() == ["09:30", "10:00", "10:30"]
    # Read again at the same instant, so that nothing but the stored intervals tells the two reads apart.
    feed_server.body = FEED.replace(b"T0900", b"T1000").replace(b"T0930", b"T1030")
    feed_server.headers = {"ETag": '"v2"', "Content-Type": "text/calendar"}
    assert connections.refresh(subscribed, now=NOW)
    assert free_on_2_march() == ["09:00", "09:30", "10:30"]

    connections.disconnect(connection=subscribed)
    assert free_on_2_march() == ["09:00", "09:30", "10:00", "10:30"]


def serve(feed_server, case):
    feed_server.headers = {}
    if case == "401":
        feed_server.status = 401
    elif case == "500":
        feed_server.status = 500
    elif case == "timeout":
        feed_server.delay = 2
    elif case == "malformed":
        feed_server.body = b"<html>Not a calendar</html>"
    elif case == "20 MB":
        feed_server.body = FEED[:-15] + b"X-FILL:" + b"x" * (20 * 1024 * 1024) + b"\r\nEND:VCALENDAR\r\n"
    elif case == "redirect loop":
        feed_server.status, feed_server.headers = 302, {"Location": feed_server.url}


MESSAGES = {
    "401": "The calendar's server refused access: the address may have been reset. Please copy it again from your "
           "calendar.",
    "500": "The calendar's server answered with an error (500).",
    "timeout": "The calendar's server did not answer in time.",
    "malformed": "The address did not give a calendar that can be read (it is not in iCalendar format).",
    "20 MB": "The calendar is larger than careerconv reads (10 MB).",
    "redirect loop": "The address redirected more than 3 times.",
}


@pytest.mark.parametrize("case", MESSAGES)
def test_a_read_that_fails_says_why_and_keeps_the_last_busy_times(feed_server, subscribed, settings, case):
    settings.CALENDAR_TIMEOUT_SECONDS = 0.5
    serve(feed_server, case)

    assert connections.refresh(subscribed, now=NOW + datetime.timedelta(days=2)) is False

    subscribed.refresh_from_db()
    assert subscribed.last_error == MESSAGES[case]
    assert subscribed.last_success_at == NOW
    assert subscribed.busy_intervals.count() == 1


def test_an_address_on_a_private_network_is_refused_in_production(feed_server, subscribed, settings):
    settings.CALENDAR_ALLOW_LOCAL_ADDRESSES = False
    CalendarConnection.objects.filter(pk=subscribed.pk).update(address="https://localhost:1/calendar.ics")
    subscribed.refresh_from_db()

    assert connections.refresh(subscribed, now=NOW) is False

    subscribed.refresh_from_db()
    assert subscribed.last_error == ("localhost is on a private network that careerconv does not reach. Please give "
                                     "the calendar's public address.")
    assert subscribed.busy_intervals.count() == 1


def test_connecting_an_address_that_cannot_be_read_says_so_next_to_the_field_and_saves_nothing(
        client, feed_server):
    person = PersonFactory()
    client.force_login(person.user)
    feed_server.status = 401

    response = client.post(reverse("conversations:connect_subscription"), {"address": feed_server.url})

    assert response.status_code == 200
    assert response.context["subscription_form"].errors["address"] == [MESSAGES["401"]]
    assert not CalendarConnection.objects.exists()


def test_a_partner_is_told_once_that_their_calendar_is_stale(client, subscribed, mailoutbox):
    later = NOW + datetime.timedelta(hours=13)
    assert connections.notify_stale(now=later) == 1
    assert connections.notify_stale(now=later) == 0
    assert len(mailoutbox) == 1
    assert subscribed.person.notifications.get().title == f"Your calendar {subscribed.label} could not be read"
    assert connections.last_checked_if_stale(person=subscribed.person, now=later) == NOW
