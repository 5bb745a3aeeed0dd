"""Sending: bundling, the daily limit, the sending window, relevance at sending time, retries and failures.

Sweeps run with tasks inline (the Celery app is eager in tests). It is Tuesday 3 March 2026, 10:00 in London
unless a test says otherwise; Eli's conversation is due on 8 March and nothing is booked.
"""

import datetime
import socket

import pytest
from django.core import mail

from conversations.models import ActionItem, Conversation, Notification, Reminder, ReminderEmail
from conversations.reminders import sending
from conversations.reminders.sweep import sweep
from conversations.tasks import deliver_reminders, publish, send_reminder_emails
from people.models import Person
from tests.support.factories import ActionItemFactory, ConversationFactory, PreparationFactory
from tests.support.mail_backends import FlakyBackend
from tests.support.reminding import at, held, settle
from tests.support.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03T10:00:00+00:00")
TODAY = datetime.date(2026, 3, 3)


def run(now):
    return sweep(now=now, enqueue=publish)


def outbox_to(username):
    return [message for message in mail.outbox if message.to == [f"{username}@example.com"]]


@pytest.fixture
def due_soon(employee, manager, mentor, hr):
    """Eli is due on 8 March with nothing booked; Maya (his manager) has her digest off."""
    settle(employee, manager, mentor, hr, today=TODAY)
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False)
    return held(employee, manager, NOW - datetime.timedelta(days=85))


def test_a_due_person_gets_one_email_with_a_link_to_book_and_the_same_notification(due_soon, employee):
    run(NOW)

    [message] = outbox_to("eli")
    assert message.subject == "Your next career conversation is due by Sunday 8 March"
    assert "Book a conversation: http://127.0.0.1:8000/conversations/book/" in message.body
    assert f"Choose which reminders you get in your profile: http://127.0.0.1:8000/people/{employee.pk}/" \
        in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/conversations/book/"' in html
    [notification] = Notification.objects.filter(recipient=employee)
    assert notification.title == "Your next career conversation is due by Sunday 8 March"
    assert notification.url == "/conversations/book/"
    assert "Nothing is booked yet." in notification.body
    assert notification.read_at is None


def test_the_manager_gets_the_copy_in_their_own_email_with_a_link_to_propose_a_time(due_soon, employee):
    run(NOW)

    [message] = outbox_to("maya")
    assert message.subject == "Eli Brandt's career conversation is due by Sunday 8 March"
    assert f"Propose a time to Eli Brandt: http://127.0.0.1:8000/people/team/{employee.pk}/propose/" in message.body


def test_several_reminders_for_one_person_go_out_bundled_in_one_email(due_soon, employee):
    ActionItemFactory(conversation=due_soon, text="Shadow the data team", due_on=datetime.date(2026, 3, 4))
    ActionItemFactory(conversation=due_soon, text="Write up the migration", due_on=datetime.date(2026, 2, 27))

    run(NOW)

    [message] = outbox_to("eli")
    assert message.subject == "An action is overdue; an action is due soon; your career conversation is due soon"
    assert message.body.index("Write up the migration") < message.body.index("Shadow the data team") \
        < message.body.index("due by Sunday 8 March")
    assert Notification.objects.filter(recipient=employee).count() == 3
    assert ReminderEmail.objects.get(recipient=employee).reminders.count() == 3


def test_a_person_gets_at_most_one_reminder_email_a_day(due_soon, employee):
    run(NOW)
    ActionItemFactory(conversation=due_soon, text="Shadow the data team", due_on=datetime.date(2026, 3, 4))

    run(at("2026-03-03T14:00:00+00:00"))

    assert len(outbox_to("eli")) == 1
    waiting = Reminder.objects.get(kind=Reminder.Kind.ACTION_DUE)
    assert waiting.status == Reminder.Status.PENDING
    assert waiting.not_before == at("2026-03-04T08:00:00+00:00")
    assert Notification.objects.filter(recipient=employee).count() == 1

    run(at("2026-03-04T08:00:00+00:00"))

    assert [message.subject for message in outbox_to("eli")][1] == (
        "Your action from your conversation with Maya Okafor on 8 December is due Wednesday 4 March: "
        "Shadow the data team")


def test_the_day_before_reminder_goes_alone_even_after_the_days_email(due_soon, employee, mentor):
    run(NOW)
    ConversationFactory(employee=employee, partner=mentor, starts_at=at("2026-03-04T09:00:00+00:00"))

    run(at("2026-03-03T11:00:00+00:00"))

    assert [message.subject for message in outbox_to("eli")] == [
        "Your next career conversation is due by Sunday 8 March",
        "Career conversation with Mina Sato, Wed 4 Mar, 09:00 GMT",
    ]


def test_sweeping_twice_records_once_and_sends_once(due_soon):
    run(NOW)
    run(NOW)
    run(NOW + datetime.timedelta(minutes=2))

    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2


def test_running_the_delivery_and_the_send_task_again_sends_nothing_more(due_soon, employee):
    run(NOW)
    email = ReminderEmail.objects.get(recipient=employee)

    deliver_reminders.delay([employee.pk], NOW.isoformat())
    send_reminder_emails.delay([email.pk], NOW.isoformat())
    send_reminder_emails.delay([email.pk], (NOW + datetime.timedelta(hours=1)).isoformat())

    assert len(outbox_to("eli")) == 1
    assert Notification.objects.filter(recipient=employee).count() == 1


# --- the sending window --------------------------------------------------------------------------------------


def test_at_night_a_reminder_is_recorded_and_waits_for_0800_in_the_recipients_timezone(due_soon):
    run(at("2026-03-03T03:00:00+00:00"))

    assert mail.outbox == []
    assert set(Reminder.objects.values_list("not_before", flat=True)) == {at("2026-03-03T08:00:00+00:00")}
    run(at("2026-03-03T07:59:00+00:00"))
    assert mail.outbox == []

    run(at("2026-03-03T08:00:00+00:00"))

    assert len(mail.outbox) == 2


def test_after_1800_a_reminder_waits_for_the_next_morning(due_soon):
    run(at("2026-03-03T18:00:00+00:00"))

    assert mail.outbox == []
    assert set(Reminder.objects.values_list("not_before", flat=True)) == {at("2026-03-04T08:00:00+00:00")}


def test_the_sending_window_follows_summer_time(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=datetime.date(2026, 3, 27))
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False, remind_due_soon=False)
    held(employee, manager, at("2026-01-01T10:00:00+00:00"))  # due 1 April

    # 07:30 UTC is 07:30 in London on Friday 27 March (winter time) and 08:30 on Monday 30 March (summer time).
    run(at("2026-03-27T07:30:00+00:00"))
    assert mail.outbox == []
    assert Reminder.objects.get().not_before == at("2026-03-27T08:00:00+00:00")
    Reminder.objects.update(not_before=at("2026-03-30T07:00:00+00:00"))

    run(at("2026-03-30T07:30:00+00:00"))

    assert [message.subject for message in mail.outbox] == ["Your next career conversation is due by "
                                                            "Wednesday 1 April"]


def test_a_manager_in_new_york_gets_the_copy_in_their_own_morning(due_soon, manager):
    Person.objects.filter(pk=manager.pk).update(timezone="America/New_York")

    run(NOW)

    assert len(outbox_to("eli")) == 1 and outbox_to("maya") == []
    assert Reminder.objects.get(recipient=manager).not_before == at("2026-03-03T13:00:00+00:00")
    run(at("2026-03-03T13:00:00+00:00"))
    assert len(outbox_to("maya")) == 1


def test_a_chunk_that_reaches_a_worker_after_the_window_closed_waits_for_the_next_morning(due_soon, employee):
    sweep(now=at("2026-03-03T17:55:00+00:00"), enqueue=lambda deliveries, retries, now: None)

    sending.deliver(recipient_ids=[employee.pk], now=at("2026-03-03T18:05:00+00:00"))

    assert mail.outbox == []
    assert Reminder.objects.get(recipient=employee).not_before == at("2026-03-04T08:00:00+00:00")


def test_on_monday_morning_a_managers_reminders_wait_to_go_with_the_digest(due_soon, employee, manager):
    Person.objects.filter(pk=manager.pk).update(weekly_digest=True)
    monday_half_past_eight = at("2026-03-02T08:30:00+00:00")

    run(monday_half_past_eight)

    assert len(outbox_to("eli")) == 1 and outbox_to("maya") == []
    run(at("2026-03-02T09:00:00+00:00"))
    [message] = outbox_to("maya")
    assert message.subject == "1 person in your team is due soon; your team this week"
    assert "Your team this week: 0 overdue, 1 due soon, 0 booked" in message.body
    assert "- Eli Brandt: Due soon, due by 8 Mar 2026" in message.body


# --- relevance when it finally goes out --------------------------------------------------------------------------


def test_what_stopped_being_relevant_overnight_is_skipped_and_the_rest_is_sent(due_soon, employee, manager):
    ActionItemFactory(conversation=due_soon, text="Shadow the data team", due_on=datetime.date(2026, 3, 4))
    run(at("2026-03-03T03:00:00+00:00"))
    ConversationFactory(employee=employee, partner=manager, starts_at=at("2026-03-06T14:00:00+00:00"))

    run(at("2026-03-03T08:00:00+00:00"))

    assert [message.subject for message in mail.outbox] == [
        "Your action from your conversation with Maya Okafor on 8 December is due Wednesday 4 March: "
        "Shadow the data team"]
    assert dict(Reminder.objects.values_list("kind", "status")) == {
        "due_soon": "skipped", "due_soon_manager": "skipped", "action_due": "sent"}


def test_a_reminder_whose_subject_was_deleted_is_skipped(due_soon, employee):
    action = ActionItemFactory(conversation=due_soon, due_on=datetime.date(2026, 3, 4))
    run(at("2026-03-03T03:00:00+00:00"))
    reminder = Reminder.objects.get(kind=Reminder.Kind.ACTION_DUE)
    ActionItem.objects.filter(pk=action.pk).delete()

    run(at("2026-03-03T08:00:00+00:00"))

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SKIPPED
    assert [message.subject for message in outbox_to("eli")] == ["Your next career conversation is due by "
                                                                 "Sunday 8 March"]


# --- failures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.support.mail_backends.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.attempts = []
    return FlakyBackend


@pytest.fixture
def only_eli(due_soon, manager):
    """Only Eli has anything due: Maya's copy is off."""
    Person.objects.filter(pk=manager.pk).update(remind_due_soon=False)


def test_a_failed_send_is_retried_with_backoff_and_marked_failed_after_the_last_try(only_eli, flaky):
    flaky.failures = 99
    tries = ["10:00:00", "10:00:59", "10:01:00", "10:05:59", "10:06:00", "10:31:00", "12:36:00", "14:00:00"]

    attempts = []
    for time in tries:
        run(at(f"2026-03-03T{time}+00:00"))
        attempts.append(len(flaky.attempts))

    assert attempts == [1, 1, 2, 2, 3, 4, 5, 5]
    email = ReminderEmail.objects.get()
    assert email.status == ReminderEmail.Status.FAILED
    assert email.last_error == ("Attempt 5 of 5: SMTPServerDisconnected: Connection unexpectedly closed")
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, 5)
    assert reminder.last_error == email.last_error
    assert mail.outbox == []


def test_while_retrying_the_error_is_visible_and_the_notification_is_already_there(only_eli, employee, flaky):
    flaky.failures = 1

    run(NOW)

    email = ReminderEmail.objects.get(recipient=employee)
    assert (email.status, email.attempts, email.next_attempt_at) == (
        ReminderEmail.Status.PENDING, 1, at("2026-03-03T10:01:00+00:00"))
    assert Reminder.objects.get(recipient=employee).last_error.startswith("Attempt 1 of 5: SMTPServerDisconnected")
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_a_send_that_failed_once_goes_out_once_on_the_retry_with_the_same_message_id(only_eli, employee, flaky):
    flaky.failures = 1

    run(NOW)
    run(at("2026-03-03T10:02:00+00:00"))
    run(at("2026-03-03T10:04:00+00:00"))

    [message] = outbox_to("eli")
    first, second = flaky.attempts
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert Reminder.objects.get(recipient=employee).status == Reminder.Status.SENT


def test_a_retry_later_drops_what_stopped_being_relevant(only_eli, employee, manager, flaky):
    flaky.failures = 1
    run(NOW)
    ConversationFactory(employee=employee, partner=manager, starts_at=at("2026-03-06T14:00:00+00:00"))

    run(at("2026-03-03T10:02:00+00:00"))

    assert outbox_to("eli") == []
    assert ReminderEmail.objects.get(recipient=employee).status == ReminderEmail.Status.SKIPPED
    assert Reminder.objects.get(recipient=employee).status == Reminder.Status.SKIPPED


def test_an_address_the_mail_server_refuses_fails_at_once(due_soon, employee, settings):
    settings.EMAIL_BACKEND = "tests.support.mail_backends.RefusingBackend"

    run(NOW)

    email = ReminderEmail.objects.get(recipient=employee)
    assert (email.status, email.attempts) == (ReminderEmail.Status.FAILED, 1)
    assert email.last_error.startswith("Address refused:")


def test_someone_without_an_email_address_still_gets_the_notification(due_soon, employee):
    employee.user.email = ""
    employee.user.save()

    run(NOW)

    assert outbox_to("eli") == []
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert Reminder.objects.get(recipient=employee).status == Reminder.Status.SENT


def test_a_claim_left_by_a_worker_that_died_is_taken_over_after_15_minutes(due_soon, employee):
    sweep(now=NOW, enqueue=lambda deliveries, retries, now: None)
    email = ReminderEmail.objects.create(recipient=employee, bundle_day=TODAY, next_attempt_at=NOW,
                                         status=ReminderEmail.Status.SENDING, claimed_at=NOW, attempts=1)
    Reminder.objects.filter(recipient=employee).update(email=email, status=Reminder.Status.SENDING)

    run(at("2026-03-03T10:14:00+00:00"))
    assert outbox_to("eli") == []

    run(at("2026-03-03T10:16:00+00:00"))
    assert len(outbox_to("eli")) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (ReminderEmail.Status.SENT, 2)


# --- what the e-mails say ----------------------------------------------------------------------------------------


def test_the_day_before_the_employee_is_nudged_to_prepare_and_the_partner_is_not(due_soon, employee, mentor):
    ConversationFactory(employee=employee, partner=mentor, starts_at=at("2026-03-04T09:00:00+00:00"),
                        location="Room 4.12")

    run(NOW)

    [eli_upcoming] = [message for message in outbox_to("eli") if "Mina" in message.subject]
    [mina_upcoming] = outbox_to("mina")
    assert "You meet Mina Sato for a career conversation on Wed 4 Mar, 09:00 GMT, Room 4.12." in eli_upcoming.body
    assert "Your preparation is still empty." in eli_upcoming.body
    assert "preparation" not in mina_upcoming.body.lower()


def test_a_preparation_not_yet_shared_is_pointed_out(due_soon, employee, mentor):
    conversation = ConversationFactory(employee=employee, partner=mentor,
                                       starts_at=at("2026-03-04T09:00:00+00:00"))
    PreparationFactory(conversation=conversation)

    run(NOW)

    [eli_upcoming] = [message for message in outbox_to("eli") if "Mina" in message.subject]
    assert "Your preparation is not shared with Mina Sato yet" in eli_upcoming.body
    assert 'href="http://127.0.0.1:8000/conversations/' + str(conversation.pk) + '/"' in \
        eli_upcoming.alternatives[0][0]


def test_the_partner_is_asked_to_mark_the_conversation_and_write_notes(due_soon, employee, mentor):
    conversation = ConversationFactory(employee=employee, partner=mentor, starts_at=at("2026-03-02T09:00:00+00:00"))

    run(NOW)

    [message] = outbox_to("mina")
    assert message.subject == "Was your conversation with Eli Brandt held? Mark it and write your notes"
    assert f"http://127.0.0.1:8000/conversations/{conversation.pk}/notes/" in message.body


def test_hr_get_the_actions_the_organisation_owns_listed_by_due_date(due_soon, employee, hr):
    for text in ("Fund the data course", "Open a data engineering role"):
        ActionItemFactory(conversation=due_soon, text=text, due_on=datetime.date(2026, 3, 1),
                          owner_kind=ActionItem.Owner.ORGANISATION, owner=None)
    ActionItemFactory(conversation=due_soon, text="Budget for a conference", due_on=datetime.date(2026, 3, 5),
                      owner_kind=ActionItem.Owner.ORGANISATION, owner=None)

    run(NOW)

    [message] = outbox_to("hana")
    assert message.subject == "2 organisation actions are overdue; an organisation action is due soon"
    assert ("== 2 organisation actions are overdue ==\n\nOwned by the organisation and overdue:\n"
            "- Fund the data course (agreed with Eli Brandt, due Sunday 1 March 2026, 2 days ago)\n"
            "- Open a data engineering role (agreed with Eli Brandt, due Sunday 1 March 2026, 2 days ago)") \
        in message.body
    assert "== An organisation action is due soon: Budget for a conference ==" in message.body
    assert sorted(Reminder.objects.filter(recipient=hr).values_list("kind", "subject", "period")) == [
        ("action_due", "organisation", "2026-03-05"), ("action_overdue", "organisation", "2026-03-01")]


def test_html_in_someone_elses_text_is_shown_as_text_in_the_email(due_soon, employee):
    ActionItemFactory(conversation=due_soon, text='<img src=x onerror="alert(1)"> Lead the retro',
                      due_on=datetime.date(2026, 3, 4))

    run(NOW)

    [message] = outbox_to("eli")
    html = message.alternatives[0][0]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Lead the retro" in html
    assert "<img" not in html
    assert '<img src=x onerror="alert(1)"> Lead the retro' in message.body


def test_the_digest_shows_the_team_and_lists_those_30_days_overdue(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=datetime.date(2026, 3, 2))
    Person.objects.filter(pk=manager.pk).update(remind_overdue=False, remind_due_soon=False)
    Person.objects.filter(pk=employee.pk).update(remind_overdue=False)
    held(employee, manager, at("2025-11-01T10:00:00+00:00"))  # due 30 January: 31 days overdue on 2 March

    run(at("2026-03-02T09:00:00+00:00"))

    [message] = outbox_to("maya")
    assert message.subject == "Your team this week: 1 overdue, 0 due soon, 0 booked"
    assert "- Eli Brandt: Overdue, due by 30 Jan 2026" in message.body
    assert "30 days or more overdue: Eli Brandt (31 days)." in message.body
    assert Conversation.objects.count() == 1


def test_with_the_file_backend_each_email_is_a_file_of_its_own(due_soon, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    run(NOW)

    files = sorted(path.read_text() for path in tmp_path.iterdir())
    assert len(files) == 2
    assert sorted(text.count("Subject: ") for text in files) == [1, 1]


def test_a_mail_server_that_was_down_gets_the_retries_over_one_session(due_soon, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", False, 5
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]

    run(NOW)

    assert set(ReminderEmail.objects.values_list("status", "attempts")) == {(ReminderEmail.Status.PENDING, 1)}
    assert all("ConnectionRefusedError" in error for error in ReminderEmail.objects.values_list("last_error",
                                                                                                 flat=True))
    with SMTPServer() as server:
        settings.EMAIL_PORT = server.port
        run(at("2026-03-03T10:02:00+00:00"))

    assert server.sessions == 1
    assert sorted(recipients for recipients, _data in server.messages) == [["eli@example.com"], ["maya@example.com"]]
    assert set(ReminderEmail.objects.values_list("status", flat=True)) == {ReminderEmail.Status.SENT}
