"""The e-mail telling a colleague they were asked for feedback goes out once: at once with the broker up, from
the sweep once it is back when it was down, and not at all once there is nothing left to answer."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from conversations import feedback, feedback_outbox, tasks
from conversations.models import FeedbackAnswer

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=2)


def ask(asker, colleagues):
    now = timezone.now()
    return feedback.ask_for_feedback(asker=asker, colleagues=colleagues, areas=["abilities", "environment"],
                                     note="Before my conversation with Maya", answer_by=now.date()
                                     + datetime.timedelta(days=10), anonymous=False, conversation=None, now=now)


@pytest.fixture
def broker_down():
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    with mock.patch.object(tasks.send_feedback_request, "delay", unreachable):
        yield


def test_each_colleague_is_emailed_at_once_with_the_note_the_areas_and_the_link(
        employee, mentor, hr, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(employee, [mentor, hr])

    assert sorted(message.to[0] for message in mailoutbox) == ["hana@example.com", "mina@example.com"]
    message = next(message for message in mailoutbox if message.to == ["mina@example.com"])
    assert message.subject == "Eli Brandt asked you for feedback"
    assert "Before my conversation with Maya" in message.body
    answer = request.answers.get(colleague=mentor)
    assert f"http://127.0.0.1:8000{answer.get_absolute_url()}" in message.body
    assert not FeedbackAnswer.objects.filter(emailed_at__isnull=True).exists()
    assert feedback_outbox.send_missed_request_emails(now=timezone.now() + LATER) == (0, 0)
    assert len(mailoutbox) == 2


def test_with_the_broker_down_the_request_is_kept_and_the_sweep_emails_it_once_afterwards(
        employee, mentor, hr, mailoutbox, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(employee, [mentor, hr])
    assert mailoutbox == []
    assert request.answers.count() == 2

    # Within the grace period the queued task may still be on its way: the sweep leaves it alone.
    assert feedback_outbox.send_missed_request_emails(now=timezone.now()) == (0, 0)
    assert feedback_outbox.send_missed_request_emails(now=timezone.now() + LATER) == (2, 0)
    assert feedback_outbox.send_missed_request_emails(now=timezone.now() + 2 * LATER) == (0, 0)
    assert sorted(message.to[0] for message in mailoutbox) == ["hana@example.com", "mina@example.com"]


def test_a_colleague_who_declined_or_a_closed_request_is_not_emailed_afterwards(
        employee, mentor, hr, mailoutbox, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(employee, [mentor, hr])
        other = ask(hr, [mentor])
    feedback.decline(answer=request.answers.get(colleague=mentor), reason="", now=timezone.now())
    feedback.close_request(request=other, now=timezone.now())

    assert feedback_outbox.send_missed_request_emails(now=timezone.now() + LATER) == (1, 0)
    assert [message.to for message in mailoutbox] == [["hana@example.com"]]


def test_a_failed_send_is_tried_again_by_the_next_sweep(employee, mentor, mailoutbox, broker_down,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(employee, [mentor])

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("mail server down")):
        assert feedback_outbox.send_missed_request_emails(now=timezone.now() + LATER) == (0, 1)
    assert feedback_outbox.send_missed_request_emails(now=timezone.now() + 2 * LATER) == (1, 0)
    assert [message.to for message in mailoutbox] == [["mina@example.com"]]


def test_two_senders_of_the_same_email_send_it_once(employee, mentor, mailoutbox, broker_down,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(employee, [mentor])
    answer_id = request.answers.get().pk
    now = timezone.now()

    assert feedback_outbox.send_request_email(answer_id=answer_id, now=now) == 1
    assert feedback_outbox.send_request_email(answer_id=answer_id, now=now + LATER) == 0
    assert len(mailoutbox) == 1
