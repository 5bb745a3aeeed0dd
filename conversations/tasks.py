"""Celery tasks: a few lines each around the domain modules.

The reminder chunk tasks carry the sweep's `now`: they expire after sending.TASK_EXPIRES, so it is never stale by
more than that, and a whole sweep — decision, bundling, quiet hours — runs on one clock.
"""

import datetime
import zoneinfo

from celery import shared_task
from django.utils import timezone

from conversations import calendar, feedback_outbox, invitation_outbox, notice_email
from conversations.calendars import CalendarError, connections
from conversations.followup import notes
from conversations.models import CalendarConnection
from conversations.participation import kept
from conversations.reminders import sending
from conversations.reminders.sweep import sweep
from people.models import Department


# SMTP failures (SMTPException is an OSError) are retried with backoff; the sequence check in send_invitation
# keeps a retry from sending an invitation that a later change has replaced.
@shared_task(name="conversations.send_conversation_invitation", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)
def send_conversation_invitation(conversation_id, sequence, recipient_id=None):
    if recipient_id is None:
        invitation_outbox.send_pending_invitation(conversation_id=conversation_id, sequence=sequence,
                                                  now=timezone.now())
    else:
        calendar.send_invitation(conversation_id=conversation_id, sequence=sequence, recipient_id=recipient_id,
                                 now=timezone.now())


@shared_task(name="conversations.send_feedback_request", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_feedback_request(answer_id):
    feedback_outbox.send_request_email(answer_id=answer_id, now=timezone.now())


@shared_task(name="conversations.send_missed_feedback_requests")
def send_missed_feedback_requests():
    feedback_outbox.send_missed_request_emails(now=timezone.now())


@shared_task(name="conversations.send_missed_notice_emails")
def send_missed_notice_emails():
    notice_email.send_missed_notice_emails(now=timezone.now())


@shared_task(name="conversations.record_notes_locks")
def record_notes_locks_task():
    return notes.record_notes_locks(now=timezone.now())


@shared_task(name="conversations.send_missed_invitations")
def send_missed_invitations():
    invitation_outbox.send_missed_invitations(now=timezone.now())


@shared_task(name="conversations.sweep_reminders")
def sweep_reminders():
    sweep(now=timezone.now(), enqueue=publish)


@shared_task(name="conversations.deliver_reminders")
def deliver_reminders(recipient_ids, now):
    sending.deliver(recipient_ids=recipient_ids, now=datetime.datetime.fromisoformat(now))


@shared_task(name="conversations.send_reminder_emails")
def send_reminder_emails(email_ids, now):
    sending.send_emails(email_ids, now=datetime.datetime.fromisoformat(now))


def publish(deliveries, retries, *, now):
    """Hand chunks of reminder work to workers, over one broker connection for the whole sweep."""
    expires = sending.TASK_EXPIRES.total_seconds()
    with deliver_reminders.app.connection_for_write() as connection:
        for chunk in deliveries:
            deliver_reminders.apply_async((chunk, now.isoformat()), connection=connection, expires=expires)
        for chunk in retries:
            send_reminder_emails.apply_async((chunk, now.isoformat()), connection=connection, expires=expires)


@shared_task(name="conversations.refresh_calendars")
def refresh_calendars():
    now = timezone.now()
    connections.refresh_due(now=now)
    connections.notify_stale(now=now)
    for conversation_id in calendar.copies_to_write(now=now):
        write_back_conversation.delay(conversation_id)


@shared_task(name="conversations.refresh_calendar")
def refresh_calendar(connection_id):
    connection = CalendarConnection.objects.select_related("person__user").filter(pk=connection_id).first()
    if connection is not None:  # disconnected meanwhile
        connections.refresh(connection, now=timezone.now())


# A CalDAV server that is down is tried again with backoff; the periodic task picks up what is still behind.
@shared_task(name="conversations.write_back_conversation", autoretry_for=(CalendarError,), retry_backoff=60,
             max_retries=5)
def write_back_conversation(conversation_id):
    calendar.write_back(conversation_id=conversation_id, now=timezone.now())


@shared_task(name="conversations.keep_participation")
def keep_participation():
    kept.keep_participation(now=timezone.now())


@shared_task(name="conversations.keep_participation_view")
def keep_participation_view(view, zone, department_id):
    department = Department.objects.filter(pk=department_id).first() if department_id is not None else None
    if department_id is None or department is not None:
        kept.requested_view(view=view, tz=zoneinfo.ZoneInfo(zone), department=department, now=timezone.now())
