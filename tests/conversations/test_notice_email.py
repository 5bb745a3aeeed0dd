"""The e-mail copy of a notification goes out once: at once with the broker up, from the sweep once it is back when
it was down, never twice for a retried task, and with nothing but the notification's id passing through the
broker."""

import datetime
import json
from unittest import mock

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from careerconv.celery import app
from conversations import notice_email, tasks
from conversations.followup.notes import save_notes
from conversations.models import Conversation, Notification
from tests.support.factories import ConversationFactory
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=2)
TITLE = "Maya Okafor shared their notes on your conversation of 2 March"


@pytest.fixture
def held(employee, manager):
    held_at = timezone.now() - datetime.timedelta(days=1)
    return ConversationFactory(employee=employee, partner=manager, starts_at=held_at - datetime.timedelta(hours=1),
                               status=Conversation.Status.COMPLETED, held_at=held_at)


def share_notes(conversation, author, summary="Wants to move to the data team"):
    save_notes(conversation=conversation, author=author, visibility="shared", values={"summary": summary},
               now=timezone.now())
    return Notification.objects.get(recipient=conversation.employee)


@pytest.fixture
def broker_unreachable():
    """The app's broker moved to a closed port: publishing fails as it does when Redis is down."""
    saved = app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager = False
    # Connections to the closed port are made afresh; the app's pools for the real broker are put back untouched.
    app.conf.broker_url, app._pool, app.amqp._producer_pool = "redis://127.0.0.1:1/0", None, None
    try:
        yield
    finally:
        app.pool.force_close_all()
        app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def test_the_email_goes_out_at_once_with_a_stable_message_id_and_is_recorded(
        held, manager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = share_notes(held, manager)

    [message] = mailoutbox
    assert message.to == ["eli@example.com"]
    assert message.subject == notification.title
    assert f"Open it: http://127.0.0.1:8000/conversations/{held.pk}/" in message.body
    notification.refresh_from_db()
    assert message.extra_headers["Message-ID"] == (
        f"<notice-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}@127.0.0.1>")
    assert not notification.email_pending and notification.emailed_at is not None
    assert notice_email.send_missed_notice_emails(now=timezone.now() + LATER) == (0, 0)
    assert len(mailoutbox) == 1


def test_with_the_broker_unreachable_the_notification_is_kept_and_the_sweep_emails_it_once_afterwards(
        held, manager, mailoutbox, broker_unreachable, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        notification = share_notes(held, manager)

    assert f"notice e-mails [{notification.pk}] not queued" in caplog.text
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.email_pending and notification.emailed_at is None
    # Within the grace period the queued task may still be on its way: the sweep leaves it alone.
    assert notice_email.send_missed_notice_emails(now=timezone.now()) == (0, 0)
    assert notice_email.send_missed_notice_emails(now=timezone.now() + LATER) == (1, 0)
    assert notice_email.send_missed_notice_emails(now=timezone.now() + 2 * LATER) == (0, 0)
    assert [message.subject for message in mailoutbox] == [notification.title]


def test_the_sweep_runs_as_the_beat_task(held, manager, mailoutbox, broker_unreachable,
                                         django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        share_notes(held, manager)
    settings.INVITATION_GRACE_SECONDS = 0

    tasks.send_missed_notice_emails.apply()

    assert [message.to for message in mailoutbox] == [["eli@example.com"]]
    assert settings.CELERY_BEAT_SCHEDULE["notice-email-sweep"]["task"] == tasks.send_missed_notice_emails.name


def test_a_task_run_twice_sends_one_email(held, manager, mailoutbox, broker_unreachable,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = share_notes(held, manager)

    notice_email.send_notice_email_task.apply(args=(notification.pk,))
    notice_email.send_notice_email_task.apply(args=(notification.pk,))

    assert len(mailoutbox) == 1


def test_a_failed_send_is_tried_again_by_the_next_sweep(held, manager, mailoutbox, broker_unreachable,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        share_notes(held, manager)

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("mail server down")):
        assert notice_email.send_missed_notice_emails(now=timezone.now() + LATER) == (0, 1)
    assert notice_email.send_missed_notice_emails(now=timezone.now() + 2 * LATER) == (1, 0)
    assert [message.to for message in mailoutbox] == [["eli@example.com"]]


def test_a_notification_replaced_before_its_email_went_out_is_not_emailed_the_newer_one_is(
        held, manager, mailoutbox, broker_unreachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = share_notes(held, manager)
        # A notification about the same subject replaces it; HR dealt with it, or the notes were shared again.
        Notification.objects.filter(pk=first.pk).delete()

    assert notice_email.send_notice_email(notification_id=first.pk, now=timezone.now()) == 0
    assert mailoutbox == []


def test_someone_who_left_before_the_email_went_out_is_not_emailed(
        held, employee, manager, mailoutbox, broker_unreachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = share_notes(held, manager)
    employee.is_active = False
    employee.save()

    assert notice_email.send_missed_notice_emails(now=timezone.now() + LATER) == (0, 0)
    notification.refresh_from_db()
    assert mailoutbox == [] and not notification.email_pending and notification.emailed_at is None


@pytest.mark.redis
def test_only_the_notification_id_goes_through_redis_to_a_real_worker_which_sends_the_email(
        held, manager, mailoutbox, celery_live_worker):
    published = []

    def record(sender=None, body=None, headers=None, **kwargs):
        if sender == notice_email.send_notice_email_task.name:
            published.append(json.dumps([body, headers], default=str))

    before_task_publish.connect(record)
    try:
        notification = share_notes(held, manager, summary="Wants to move to the data team")
        wait_until(lambda: mailoutbox, timeout=30, what="the notice e-mail")
    finally:
        before_task_publish.disconnect(record)

    [message] = published
    assert f"[[{notification.pk}], {{}}" in message
    assert "Maya" not in message and "shared their notes" not in message and "/conversations/" not in message
    assert [sent.subject for sent in mailoutbox] == [TITLE.replace("2 March", f"{held.held_at:%-d %B}")]
    assert wait_until(lambda: Notification.objects.get(pk=notification.pk).emailed_at, timeout=10)
