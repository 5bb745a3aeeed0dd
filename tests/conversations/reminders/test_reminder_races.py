"""Exactly once under concurrency, on PostgreSQL with real threads: duplicate beat ticks, two workers delivering
to the same person, two workers holding the same e-mail."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from conversations.models import Notification, Reminder, ReminderEmail
from conversations.reminders import sending
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from people.models import Person
from tests.support.factories import ConversationFactory
from tests.support.mail_backends import FlakyBackend
from tests.support.reminding import at, held, settle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = at("2026-03-03T10:00:00+00:00")
THREADS = 4


def at_once(work, count=THREADS):
    """Run `work` in `count` threads released together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as error:  # noqa: BLE001 — handed to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.fixture
def eli_due(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=datetime.date(2026, 3, 3))
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False, remind_due_soon=False)
    held(employee, manager, NOW - datetime.timedelta(days=85))
    return employee


def test_sweeps_racing_each_other_record_one_reminder_and_send_one_email(eli_due):
    at_once(lambda: sweep(now=NOW, enqueue=publish))

    assert Reminder.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["eli@example.com"]]
    assert Notification.objects.count() == 1


def test_workers_delivering_to_the_same_person_at_once_send_one_email(eli_due):
    sweep(now=NOW, enqueue=lambda deliveries, retries, now: None)

    at_once(lambda: sending.deliver(recipient_ids=[eli_due.pk], now=NOW))

    assert len(mail.outbox) == 1
    assert ReminderEmail.objects.count() == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_workers_holding_the_same_email_send_it_once(eli_due, settings):
    settings.EMAIL_BACKEND = "tests.support.mail_backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.attempts = 1, []
    sweep(now=NOW, enqueue=publish)
    email = ReminderEmail.objects.get()
    assert email.status == ReminderEmail.Status.PENDING

    at_once(lambda: sending.send_emails([email.pk], now=NOW + datetime.timedelta(minutes=2)))

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (ReminderEmail.Status.SENT, 2)


def test_workers_delivering_the_day_before_reminder_at_once_send_it_once(eli_due, mentor):
    # The day-before reminder is not held back by the one-bundle-a-day constraint: only the claim guards it.
    Person.objects.filter(pk=eli_due.pk).update(remind_due_soon=False)
    ConversationFactory(employee=eli_due, partner=mentor, starts_at=NOW + datetime.timedelta(hours=20))
    sweep(now=NOW, enqueue=lambda deliveries, retries, now: None)

    at_once(lambda: sending.deliver(recipient_ids=[eli_due.pk], now=NOW))

    assert [message.to for message in mail.outbox] == [["eli@example.com"]]
    assert ReminderEmail.objects.filter(recipient=eli_due).count() == 1
