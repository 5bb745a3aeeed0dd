"""Busy times from a real CalDAV server (Radicale), and conversations written back to it."""

import datetime

import caldav
import pytest
from django.db import connection as db

from conversations import availability, booking
from conversations.calendars import connections
from conversations.models import AvailabilitySettings, CalendarConnection
from tests.conversations.calendars.conftest import make_calendar
from tests.support.factories import PersonFactory, weekday_windows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 1 March 2027, 08:00 UTC. London stays on GMT (= UTC) all month; New York moves to EDT on 14 March.
NOW = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)

EVENTS = """BEGIN:VTIMEZONE
TZID:Custom Eastern
BEGIN:STANDARD
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:team-sync
DTSTAMP:20270101T000000Z
SUMMARY:Team sync about the secret merger
DESCRIPTION:Confidential agenda
DTSTART;TZID=Europe/London:20270302T100000
DTEND;TZID=Europe/London:20270302T110000
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;TZID=Europe/London:20270316T100000
END:VEVENT
BEGIN:VEVENT
UID:team-sync
DTSTAMP:20270101T000000Z
SUMMARY:Team sync about the secret merger
RECURRENCE-ID;TZID=Europe/London:20270309T100000
DTSTART;TZID=Europe/London:20270309T140000
DTEND;TZID=Europe/London:20270309T150000
END:VEVENT
BEGIN:VEVENT
UID:offsite
DTSTAMP:20270101T000000Z
SUMMARY:Offsite day
DTSTART;VALUE=DATE:20270303
DTEND;VALUE=DATE:20270304
END:VEVENT
BEGIN:VEVENT
UID:focus
DTSTAMP:20270101T000000Z
SUMMARY:Focus time
TRANSP:TRANSPARENT
DTSTART:20270304T090000Z
DTEND:20270304T120000Z
END:VEVENT
BEGIN:VEVENT
UID:new-york
DTSTAMP:20270101T000000Z
SUMMARY:Call with the New York office
DTSTART;TZID=Custom Eastern:20270312T100000
DTEND;TZID=Custom Eastern:20270312T110000
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT
BEGIN:VEVENT
UID:declined
DTSTAMP:20270101T000000Z
SUMMARY:Vendor pitch
DTSTART:20270308T090000Z
DTEND:20270308T100000Z
ORGANIZER:mailto:vendor@example.org
ATTENDEE;PARTSTAT=DECLINED:mailto:mina@example.com
END:VEVENT
"""
TITLES = ["Team sync about the secret merger", "Confidential agenda", "Offsite day", "Focus time",
          "Call with the New York office", "Vendor pitch"]


@pytest.fixture
def partner():
    person = PersonFactory(user__username="mina", user__email="mina@example.com", timezone="Europe/London",
                           offers_conversations=True)
    AvailabilitySettings.objects.create(person=person, slot_minutes=60, weeks_ahead=3, min_notice_hours=1)
    weekday_windows(person)
    return person


@pytest.fixture
def connected(partner, radicale):
    make_calendar(radicale, user="mina", name="Work", events=EVENTS)
    return connections.connect_caldav(person=partner, address=radicale, username="mina", password="app-password-1",
                                      now=NOW)


def hours_by_day(slots):
    days = {}
    for slot in slots:
        days.setdefault(slot.starts_at.date().isoformat(), []).append(slot.starts_at.hour)
    return days


def test_free_times_leave_out_exactly_what_the_calendar_says_is_busy(partner, connected):
    days = hours_by_day(availability.free_slots(partner=partner, employee=PersonFactory(), now=NOW))

    every_hour = [9, 10, 11, 12, 13, 14, 15, 16]
    assert days["2027-03-02"] == [9, 11, 12, 13, 14, 15, 16]  # the weekly meeting at 10:00
    assert "2027-03-03" not in days  # the all-day offsite
    assert days["2027-03-04"] == every_hour  # focus time is marked free
    assert days["2027-03-08"] == every_hour  # the invitation she declined
    assert days["2027-03-09"] == [9, 10, 11, 12, 13, 15, 16]  # this week's meeting moved to 14:00
    assert days["2027-03-12"] == [9, 10, 11, 12, 13, 14, 16]  # 10:00 in New York on EST is 15:00 in London
    assert days["2027-03-16"] == every_hour  # the cancelled occurrence
    assert days["2027-03-19"] == [9, 10, 11, 12, 13, 15, 16]  # and on EDT it is 14:00
    assert len(days) == 15  # the other working days of the three weeks are wholly free


def test_booking_a_time_the_calendar_shows_busy_is_refused(partner, connected):
    with pytest.raises(booking.TimeNotFree) as refused:
        booking.book_conversation(employee=PersonFactory(), partner=partner, now=NOW,
                                  starts_at=datetime.datetime(2027, 3, 2, 10, 0, tzinfo=UTC))
    assert refused.value.code == "calendar_busy"


@pytest.mark.postgres  # reads every row of every table as text, which SQLite cannot write
def test_no_title_description_or_attendee_of_any_event_is_stored(partner, connected):
    assert connected.busy_intervals.count() == 5
    found = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            found += [row[0] for row in cursor.fetchall() if any(
                text in row[0] for text in TITLES + ["vendor@example.org", "app-password-1"])]
    assert found == []


def read_event(radicale, calendar_url, uid):
    calendar = caldav.DAVClient(url=radicale, username="mina", password="unused").calendar(url=calendar_url)
    try:
        return calendar.event_by_uid(uid).icalendar_component
    except caldav.lib.error.NotFoundError:
        return None


def test_conversations_are_written_moved_and_removed_in_the_chosen_calendar(
        partner, connected, radicale, django_capture_on_commit_callbacks):
    meetings = make_calendar(radicale, user="mina", name="careerconv")
    connected.refresh_from_db()
    connected.calendars = connections.caldav_account.list_calendars(connected)
    connected.save()
    connections.choose_calendars(connection=connected, read=[c["url"] for c in connected.calendars],
                                 write=meetings, now=NOW)
    employee = PersonFactory()

    with django_capture_on_commit_callbacks(execute=True):
        conversation = booking.book_conversation(employee=employee, partner=partner, now=NOW,
                                                 starts_at=datetime.datetime(2027, 3, 2, 9, 0, tzinfo=UTC))
    uid = f"{conversation.uid}@careerconv"
    event = read_event(radicale, meetings, uid)
    assert event.start == datetime.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    assert "ATTENDEE" not in event and "ORGANIZER" not in event

    with django_capture_on_commit_callbacks(execute=True):
        booking.reschedule_conversation(conversation=conversation, by=employee, reason="Clash", now=NOW,
                                        starts_at=datetime.datetime(2027, 3, 4, 11, 0, tzinfo=UTC))
    assert read_event(radicale, meetings, uid).start == datetime.datetime(2027, 3, 4, 11, 0, tzinfo=UTC)
    # Read back as busy, the conversation is still not counted twice: it is careerconv's own.
    assert connections.refresh(connected, now=NOW)
    assert connected.busy_intervals.filter(starts_at=datetime.datetime(2027, 3, 4, 11, 0, tzinfo=UTC)).count() == 0

    conversation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel_conversation(conversation=conversation, by=employee, reason="Not needed", now=NOW)
    assert read_event(radicale, meetings, uid) is None
    assert CalendarConnection.objects.get().copies.get().state == "removed"


def test_a_calendar_server_that_is_down_keeps_the_last_busy_times(partner, connected):
    CalendarConnection.objects.filter(pk=connected.pk).update(address="http://127.0.0.1:9/")
    connected.refresh_from_db()

    assert connections.refresh(connected, now=NOW) is False
    connected.refresh_from_db()
    assert connected.last_error == ("The CalDAV server could not be reached or did not answer as a calendar "
                                    "server does.")
    assert connected.busy_intervals.count() == 5
