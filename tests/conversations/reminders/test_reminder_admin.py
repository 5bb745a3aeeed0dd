"""After the last attempt, a failed reminder e-mail shows as failed in the admin and can be tried again."""

import datetime

import pytest
from django.core import mail

from conversations.models import Reminder, ReminderEmail
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from people.models import Person
from tests.support.factories import UserFactory
from tests.support.mail_backends import FlakyBackend
from tests.support.reminding import at, held, settle

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03T10:00:00+00:00")


@pytest.fixture
def failed(settings, employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=datetime.date(2026, 3, 3))
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False, remind_due_soon=False)
    held(employee, manager, NOW - datetime.timedelta(days=85))
    settings.EMAIL_BACKEND = "tests.support.mail_backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.attempts = 5, []
    for minutes in (0, 1, 6, 31, 156):
        sweep(now=NOW + datetime.timedelta(minutes=minutes), enqueue=publish)
    return ReminderEmail.objects.get()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_failed_reminder_is_listed_as_failed_with_its_error(failed, admin_client):
    page = admin_client.get("/admin/conversations/reminder/?status__exact=failed").content.decode()

    assert "Conversation due soon" in page and "Failed" in page
    assert "Attempt 5 of 5: SMTPServerDisconnected: Connection unexpectedly closed" in page
    emails = admin_client.get("/admin/conversations/reminderemail/?status__exact=failed").content.decode()
    assert "Failed" in emails
    # The subject names what the reminder is about: private, even to a superuser.
    assert "Your next career conversation is due by Sunday 8 March" not in emails


def test_trying_a_failed_email_again_sends_it_with_the_next_sweep(failed, admin_client):
    admin_client.post("/admin/conversations/reminderemail/",
                      {"action": "try_again", "_selected_action": [failed.pk]})

    sweep(now=NOW + datetime.timedelta(hours=4), enqueue=publish)

    failed.refresh_from_db()
    assert failed.status == ReminderEmail.Status.SENT
    assert Reminder.objects.get().status == Reminder.Status.SENT
    assert len(mail.outbox) == 1
