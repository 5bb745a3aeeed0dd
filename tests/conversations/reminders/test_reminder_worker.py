"""Reminders end to end through the real broker and a real Celery worker, and after a broker outage.

The sending window is opened to the whole day so that the tests can use the real clock, as beat does."""

import datetime
import socket

import pytest
from django.core import mail
from django.utils import timezone

from careerconv.celery import app
from careerconv.models import WorkerHeartbeat
from careerconv.tasks import heartbeat
from conversations.models import Notification, Reminder
from conversations.reminders.sweep import sweep
from conversations.tasks import deliver_reminders, publish, sweep_reminders
from tests.support.factories import PersonFactory
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(settings):
    """Ola, with no manager, whose conversation is long overdue: exactly one reminder is due."""
    settings.REMINDER_SENDING_HOURS = (0, 24)
    return PersonFactory(user__username="ola", user__first_name="Ola",
                         start_date=timezone.now().date() - datetime.timedelta(days=200))


def worker_done():
    """Wait until the worker has run everything queued so far: the solo worker takes tasks in order."""
    WorkerHeartbeat.objects.all().delete()
    heartbeat.delay()
    wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=30)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_due_person_gets_exactly_one_email_and_one_notification_through_a_real_worker(
        celery_live_worker, overdue):
    sweep_reminders.delay()

    wait_until(lambda: len(mail.outbox) == 1 and Notification.objects.count() == 1, timeout=30)
    # A duplicate beat tick and a chunk handed out twice change nothing.
    sweep_reminders.delay()
    deliver_reminders.delay([overdue.pk], timezone.now().isoformat())
    worker_done()

    assert [message.to for message in mail.outbox] == [["ola@example.com"]]
    assert Notification.objects.filter(recipient=overdue).count() == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_reminders_decided_while_the_broker_is_down_arrive_once_it_is_back(celery_live_worker, overdue):
    app.conf.update(broker_write_url=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        during_outage = sweep(now=timezone.now(), enqueue=publish)
    finally:
        app.conf.update(broker_write_url=None)

    assert during_outage.dispatch.error
    assert Reminder.objects.get().status == Reminder.Status.PENDING
    assert mail.outbox == []

    after_recovery = sweep(now=timezone.now(), enqueue=publish)

    assert after_recovery.recorded_ids == [] and after_recovery.dispatch.error == ""
    wait_until(lambda: len(mail.outbox) == 1, timeout=30)
    sweep(now=timezone.now(), enqueue=publish)
    worker_done()
    assert [message.to for message in mail.outbox] == [["ola@example.com"]]
    assert Notification.objects.count() == 1
