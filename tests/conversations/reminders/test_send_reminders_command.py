"""python manage.py send_reminders [--now ISO] [--dry-run]: one sweep by hand, printing what it decided."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from conversations.models import Reminder
from people.models import Person
from tests.support.reminding import held, settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def eli_due(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=datetime.date(2026, 3, 3))
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False, remind_due_soon=False)
    held(employee, manager, datetime.datetime(2025, 12, 8, 10, tzinfo=datetime.UTC))
    return employee


def send_reminders(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_what_it_would_record_and_records_and_sends_nothing(eli_due):
    output = send_reminders("--now", "2026-03-03T10:00:00+00:00", "--dry-run")

    assert output.splitlines() == [
        "Reminder sweep at 2026-03-03T10:00:00+00:00 (dry run)",
        f"  would record: Conversation due soon → Eli Brandt [person:{eli_due.pk}, 2026-03-08], sent now",
        "Due now: 1 reminders; 1 new, 0 recorded already.",
    ]
    assert Reminder.objects.count() == 0
    assert mail.outbox == []


def test_a_dry_run_at_night_says_when_the_reminder_would_go_out(eli_due):
    output = send_reminders("--now", "2026-03-03T03:00:00Z", "--dry-run")

    assert "sent from 2026-03-03 08:00 UTC (their sending window)" in output


def test_a_run_records_sends_and_prints_and_a_second_run_adds_nothing(eli_due):
    output = send_reminders("--now", "2026-03-03T10:00:00+00:00")

    assert f"  recorded: Conversation due soon → Eli Brandt [person:{eli_due.pk}, 2026-03-08]" in output
    assert "Recorded 1 new reminders; 1 people in 1 chunks to deliver, 0 e-mails to retry." in output
    assert len(mail.outbox) == 1

    again = send_reminders("--now", "2026-03-03T10:05:00+00:00")
    assert "Recorded 0 new reminders; 0 people in 0 chunks to deliver, 0 e-mails to retry." in again
    assert send_reminders("--now", "2026-03-03T10:05:00+00:00", "--dry-run").endswith(
        "Due now: 1 reminders; 0 new, 1 recorded already.\n")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("value, message", [
    ("next tuesday", "--now 'next tuesday' is not an ISO-8601 time, e.g. 2026-03-02T09:00:00+00:00."),
    ("2026-03-03T10:00", "--now '2026-03-03T10:00' needs a UTC offset, e.g. 2026-03-02T09:00:00+00:00."),
])
def test_a_bad_now_is_explained(value, message):
    with pytest.raises(CommandError) as raised:
        send_reminders("--now", value)

    assert str(raised.value) == message
