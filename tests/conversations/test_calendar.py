"""iCalendar output, parsed back with `icalendar` and checked field by field: invitations, the download and the
personal feed; the invitation e-mails."""

import datetime
import email
import io

import pytest
import vobject
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from icalendar import Calendar

from conversations import booking, calendar
from conversations.models import Conversation
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TUESDAY_TEN = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def conversation(employee, manager):
    return booking.book_conversation(employee=employee, partner=manager, starts_at=TUESDAY_TEN, now=NOW,
                                     location="https://meet.example.com/abc-defg")


def only_event(ics):
    parsed = Calendar.from_ical(ics)
    events = parsed.walk("VEVENT")
    assert len(events) == 1
    return parsed, events[0]


def test_an_invitation_is_a_request_with_every_field_calendars_need(conversation, employee, manager, settings):
    settings.SITE_URL = "https://careers.example.com"
    settings.DEFAULT_FROM_EMAIL = "careerconv <careerconv@example.com>"
    stamp = NOW + datetime.timedelta(minutes=5)

    parsed, event = only_event(calendar.invitation_ics(conversation, viewer=employee, now=stamp))

    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"] == "-//careerconv//Career conversations//EN"
    assert parsed["METHOD"] == "REQUEST"
    assert "UID" not in parsed
    assert event["UID"] == f"{conversation.uid}@careerconv"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == TUESDAY_TEN
    assert event.decoded("DTEND") == datetime.datetime(2026, 3, 3, 10, 30, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == stamp
    assert event["SUMMARY"] == "Career conversation with Maya Okafor"
    assert event["LOCATION"] == "https://meet.example.com/abc-defg"
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "OPAQUE"
    assert event["URL"] == f"https://careers.example.com/conversations/{conversation.pk}/"
    assert str(event["ORGANIZER"]) == "mailto:maya@example.com"
    assert event["ORGANIZER"].params["CN"] == "Maya Okafor"
    assert event["ORGANIZER"].params["SENT-BY"] == "mailto:careerconv@example.com"
    attendees = {str(attendee): attendee.params for attendee in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:eli@example.com", "mailto:maya@example.com"}
    assert attendees["mailto:eli@example.com"]["CN"] == "Eli Brandt"
    assert attendees["mailto:eli@example.com"]["PARTSTAT"] == "ACCEPTED"
    assert attendees["mailto:eli@example.com"]["ROLE"] == "REQ-PARTICIPANT"
    assert "Prepare for it: https://careers.example.com/conversations/" in event["DESCRIPTION"]


def test_the_partners_copy_names_the_employee_and_has_no_preparation_link(conversation, manager):
    _, event = only_event(calendar.invitation_ics(conversation, viewer=manager, now=NOW))

    assert event["SUMMARY"] == "Career conversation with Eli Brandt"
    assert "Prepare" not in event["DESCRIPTION"]


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(conversation, employee):
    moved = booking.reschedule_conversation(conversation=conversation, by=employee,
                                            starts_at=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=UTC),
                                            reason="Train strike", now=NOW)

    parsed, event = only_event(calendar.invitation_ics(moved, viewer=employee, now=NOW))

    assert parsed["METHOD"] == "REQUEST"
    assert event["UID"] == f"{conversation.uid}@careerconv"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == datetime.datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    assert "Rescheduled: Train strike" in event["DESCRIPTION"]


def test_a_cancellation_is_a_cancel_with_the_same_uid_and_a_higher_sequence(conversation, employee, manager):
    moved = booking.reschedule_conversation(conversation=conversation, by=employee,
                                            starts_at=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=UTC),
                                            reason="Train strike", now=NOW)
    cancelled = booking.cancel_conversation(conversation=moved, by=manager, reason="Off sick", now=NOW)

    parsed, event = only_event(calendar.invitation_ics(cancelled, viewer=manager, now=NOW))

    assert parsed["METHOD"] == "CANCEL"
    assert event["UID"] == f"{conversation.uid}@careerconv"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert "Cancelled: Off sick" in event["DESCRIPTION"]


def test_the_download_is_a_published_event(conversation, employee):
    parsed, event = only_event(calendar.download_ics(conversation, viewer=employee, now=NOW))

    assert parsed["METHOD"] == "PUBLISH"
    assert event["UID"] == f"{conversation.uid}@careerconv"


def test_the_invitation_emails_carry_an_itip_part_and_an_ics_file_in_each_recipients_timezone(
        employee, manager, django_capture_on_commit_callbacks):
    employee.timezone = "America/New_York"
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking.book_conversation(employee=employee, partner=manager, starts_at=TUESDAY_TEN, now=NOW)

    to_eli, to_maya = mail.outbox
    assert to_eli.to == ["eli@example.com"]
    assert to_eli.subject == "Invitation: career conversation with Maya Okafor, Tue 3 Mar, 05:00 EST"
    assert to_maya.subject == "Invitation: career conversation with Eli Brandt, Tue 3 Mar, 10:00 GMT"
    assert "You booked a career conversation with Maya Okafor." in to_eli.body
    assert "Eli Brandt booked a career conversation with you." in to_maya.body
    assert "Tuesday 3 March 2026, 05:00–05:30 EST" in to_eli.body
    assert "/preparation/" in to_eli.body and "/preparation/" not in to_maya.body

    parsed = email.message_from_bytes(to_maya.message().as_bytes())
    calendar_parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendar_parts) == 1
    assert calendar_parts[0].get_param("method") == "REQUEST"
    attachments = [part for part in parsed.walk() if part.get_filename() == "invite.ics"]
    assert len(attachments) == 1
    _, event = only_event(attachments[0].get_payload(decode=True))
    assert event["SUMMARY"] == "Career conversation with Eli Brandt"
    html = next(part for part in parsed.walk() if part.get_content_type() == "text/html")
    assert "Eli Brandt booked a career conversation with you." in html.get_payload(decode=True).decode()


def test_the_cancellation_email_says_who_and_why(conversation, employee, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel_conversation(conversation=conversation, by=manager, reason="Off <b>sick</b>", now=NOW)

    to_eli = next(message for message in mail.outbox if message.to == ["eli@example.com"])
    assert to_eli.subject == "Cancelled: career conversation with Maya Okafor, Tue 3 Mar, 10:00 GMT"
    assert "cancelled by Maya Okafor.\nReason: Off <b>sick</b>" in to_eli.body
    html = dict((mime, content) for content, mime in to_eli.alternatives)["text/html"]
    assert "Reason: Off &lt;b&gt;sick&lt;/b&gt;" in html
    method_part = [mime for _, mime in to_eli.alternatives if mime.startswith("text/calendar")]
    assert method_part == ["text/calendar; method=CANCEL"]


def test_an_invitation_overtaken_by_a_later_change_is_not_sent(conversation, employee):
    booking.reschedule_conversation(conversation=conversation, by=employee,
                                    starts_at=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=UTC), reason="Clash",
                                    now=NOW)

    stale = calendar.send_invitation(conversation_id=conversation.pk, sequence=0, now=NOW)
    current = calendar.send_invitation(conversation_id=conversation.pk, sequence=1, now=NOW)

    assert (stale, current) == (0, 2)


def test_an_invitation_can_go_to_one_participant_only(conversation, employee):
    sent = calendar.send_invitation(conversation_id=conversation.pk, sequence=0, recipient_id=employee.pk, now=NOW)

    assert sent == 1
    assert [message.to for message in mail.outbox] == [["eli@example.com"]]


def test_an_invitation_sent_again_keeps_its_message_id_until_the_conversation_changes(conversation, employee,
                                                                                   settings):
    settings.SITE_URL = "https://careers.example.com"
    calendar.send_invitation(conversation_id=conversation.pk, sequence=0, now=NOW)
    calendar.send_invitation(conversation_id=conversation.pk, sequence=0, recipient_id=employee.pk, now=NOW)
    Conversation.objects.filter(pk=conversation.pk).update(sequence=1)  # what any change to it does
    calendar.send_invitation(conversation_id=conversation.pk, sequence=1, recipient_id=employee.pk, now=NOW)

    ids = [(message.to[0], message.message()["Message-ID"]) for message in mail.outbox]
    first = f"<invitation-{conversation.pk}-0-{employee.pk}@careers.example.com>"
    assert ids[0] == ("eli@example.com", first) and ids[2] == ("eli@example.com", first)
    assert ids[1][0] != "eli@example.com" and ids[1][1] not in (first, ids[3][1])
    assert ids[3] == ("eli@example.com", f"<invitation-{conversation.pk}-1-{employee.pk}@careers.example.com>")


# --- The personal feed ----------------------------------------------------------------------------------------


def test_the_feed_lists_the_persons_conversations_without_a_session(client, employee, manager, mentor):
    upcoming = ConversationFactory(employee=employee, partner=manager)
    held = ConversationFactory(employee=employee, partner=mentor, status=Conversation.Status.COMPLETED,
                               starts_at=datetime.datetime.now(UTC) - datetime.timedelta(days=30))
    ConversationFactory(employee=employee, partner=mentor, status=Conversation.Status.CANCELLED)
    ConversationFactory(employee=employee, partner=manager,
                        starts_at=datetime.datetime.now(UTC) - datetime.timedelta(days=400))
    ConversationFactory(employee=mentor, partner=manager)

    response = client.get(reverse("conversations:calendar_feed", args=[employee.calendar_token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    assert parsed["X-WR-CALNAME"] == "Career conversations · Eli Brandt"
    assert {str(event["UID"]) for event in parsed.walk("VEVENT")} == {f"{upcoming.uid}@careerconv",
                                                                      f"{held.uid}@careerconv"}


def test_the_feed_says_how_often_to_refresh_as_rfc_7986_durations(client, employee, manager):
    ConversationFactory(employee=employee, partner=manager)

    body = client.get(reverse("conversations:calendar_feed", args=[employee.calendar_token])).content.decode()
    parsed = vobject.readOne(body)

    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body and "X-PUBLISHED-TTL:PT1H\r\n" in body
    assert parsed.contents["refresh-interval"][0].value == "PT1H"
    assert parsed.contents["refresh-interval"][0].params == {"VALUE": ["DURATION"]}
    assert parsed.contents["x-published-ttl"][0].value == "PT1H"
    assert len(parsed.vevent_list) == 1


def test_an_unknown_token_or_a_person_who_left_gets_nothing(client, employee):
    assert client.get(reverse("conversations:calendar_feed", args=["not-a-token"])).status_code == 404
    employee.is_active = False
    employee.save()
    assert client.get(reverse("conversations:calendar_feed", args=[employee.calendar_token])).status_code == 404


def test_a_feed_link_with_a_nul_byte_gets_nothing(client, employee):
    assert client.get(f"/conversations/calendar/{employee.calendar_token}%00.ics").status_code == 404


def test_resetting_the_calendar_link_revokes_the_old_one(client, employee):
    old_url = reverse("conversations:calendar_feed", args=[employee.calendar_token])
    client.force_login(employee.user)

    response = client.post(reverse("conversations:rotate_calendar_link"), follow=True)

    employee.refresh_from_db()
    new_url = reverse("conversations:calendar_feed", args=[employee.calendar_token])
    assert new_url != old_url
    assert "Your calendar link was reset." in response.content.decode()
    assert new_url in response.content.decode()
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_the_subscription_page_shows_the_private_address(client, employee, settings):
    settings.SITE_URL = "https://careers.example.com"
    client.force_login(employee.user)

    page = client.get(reverse("conversations:calendar")).content.decode()

    assert f"https://careers.example.com/conversations/calendar/{employee.calendar_token}.ics" in page
    assert f"webcal://careers.example.com/conversations/calendar/{employee.calendar_token}.ics" in page


def test_invitations_missed_while_the_broker_was_down_are_sent_by_the_command(employee, manager, mentor):
    ConversationFactory(employee=employee, partner=manager)
    old = ConversationFactory(employee=employee, partner=mentor)
    Conversation.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2026, 1, 1, tzinfo=UTC))
    output = io.StringIO()

    call_command("send_invitations", "--since", "2026-02-01T00:00", stdout=output)

    assert output.getvalue() == "2 invitation e-mails sent, 0 conversations failed.\n"
    assert sorted(message.to[0] for message in mail.outbox) == ["eli@example.com", "maya@example.com"]
    assert all(message.subject.startswith("Invitation: ") for message in mail.outbox)


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="is not a date-time"):
        call_command("send_invitations", "--since", "last tuesday")
