"""Script typed into any text is shown as text everywhere it goes: e-mails, calendar files, CSV exports."""

import csv
import io

import pytest
from django.utils import timezone
from icalendar import Calendar

from conversations import calendar
from conversations.models import Conversation
from tests.factories import ConversationFactory, PersonFactory, make_hr
from tests.fuzzing import SCRIPTS

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
