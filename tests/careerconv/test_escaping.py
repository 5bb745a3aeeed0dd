"""Script typed into any text is shown as text everywhere it goes: e-mails, calendar files, CSV exports."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from conversations import calendar
from conversations.models import Conversation
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from people.models import Person
from tests.support.factories import ConversationFactory, PersonFactory, make_hr
from tests.support.fuzzing import SCRIPTS
from tests.support.reminding import held, settle

pytestmark = pytest.mark.django_db

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(employee, manager):
    """People and a conversation whose every free text is hostile."""
    manager.user.first_name = '<img src=x onerror="alert(1)">'
    manager.user.last_name = "=HYPERLINK(\"http://evil.example\")"
    manager.user.save()
    conversation = ConversationFactory(employee=employee, partner=manager, location="<script>alert('where')</script>",
                                       change_reason="<b>bold</b>; DROP\r\nBcc: victim@example.com")
    return Conversation.objects.select_related("employee__user", "partner__user").get(pk=conversation.pk)


@pytest.mark.parametrize("change", ["booked", "rescheduled", "cancelled"])
def test_the_invitation_e_mail_shows_hostile_text_as_text(hostile, employee, change):
    if change != "booked":
        hostile.sequence = 1
    if change == "cancelled":
        hostile.status = Conversation.Status.CANCELLED

    message = calendar.invitation_message(hostile, recipient=employee, now=timezone.now())

    html = next(content for content, kind in message.alternatives if kind == "text/html")
    assert "<script>" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#x27;where&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.extra_headers.get("Bcc") is None and message.bcc == []


def test_the_calendar_file_carries_hostile_text_exactly_as_typed(hostile, employee):
    event = Calendar.from_ical(calendar.invitation_ics(hostile, viewer=employee, now=timezone.now())).walk("VEVENT")[0]

    assert str(event["LOCATION"]) == "<script>alert('where')</script>"
    assert str(event["SUMMARY"]) == ('Career conversation with <img src=x onerror="alert(1)"> '
                                     '=HYPERLINK("http://evil.example")')
    assert [str(attendee.params["CN"]) for attendee in event["ATTENDEE"]][1] == (
        '<img src=x onerror="alert(1)"> =HYPERLINK("http://evil.example")')


def test_the_calendar_feed_carries_hostile_text_as_data(client, hostile, employee):
    response = client.get(f"/conversations/calendar/{employee.calendar_token}.ics")

    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(event["LOCATION"]) for event in events] == ["<script>alert('where')</script>"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_participation_csv_guards_department_names_against_formulas(client, name):
    hr = make_hr(PersonFactory(department__name="People"))
    for _ in range(5):
        PersonFactory(department__name=name[:120])
    client.force_login(hr.user)

    content = client.get("/conversations/participation.csv").content.decode("utf-8-sig")

    rows = [row for row in csv.reader(io.StringIO(content)) if row and not row[0].startswith("#")]
    assert all(not cell.startswith(FORMULAS) for row in rows for cell in row[1:2])
    if name.startswith(FORMULAS):
        assert any(row[1] == "'" + name[:120] for row in rows)


def test_a_reminder_about_a_person_with_a_hostile_name_stays_text(client, employee, manager, mentor, hr):
    now = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC)
    settle(employee, manager, mentor, hr, today=now.date())
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False)
    held(employee, manager, now - datetime.timedelta(days=85))
    employee.user.first_name = "<script>alert(1)</script>"
    employee.user.last_name = "Brandt\r\nBcc: victim@example.com"
    employee.user.save()

    sweep(now=now, enqueue=publish)

    [message] = [message for message in mail.outbox if message.to == ["maya@example.com"]]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and "Bcc" not in message.extra_headers
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    client.force_login(manager.user)
    bell = client.get("/conversations/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in bell and "&lt;script&gt;alert(1)&lt;/script&gt;" in bell
