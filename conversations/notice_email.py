"""The e-mail copy of an in-app notification, for events a person should hear of without opening the app (a
proposed time, its answer, shared notes, a new action, a handover). Calendar changes have their own e-mail, the
invitation, and reminders theirs.

It goes out once, even when the broker is down: an outbox on the notification row, as for invitations and feedback
requests (see invitation_outbox, feedback_outbox).

1. `notify()` saves the notification with `email_pending` set, in the transaction of the change it tells of: if the
   change is committed, so is the duty to e-mail it.
2. After the commit a task is queued with the notification's id only: the text stays in the database, encrypted,
   and never passes through the broker. When the broker is unreachable nothing is queued, and
3. a sweep run by Celery beat sends whatever is still owed a little later: after an outage, once.

Two senders (the task and the sweep, a retried task, two workers) are kept from both sending by a conditional
UPDATE that only one of them wins; a claim left by a sender that died is taken over after STALE_CLAIM. That rare
second copy carries the same Message-ID, so a mail system that has the first drops it. A notification taken from
under the bell before its e-mail went out (replaced by a newer one about the same subject, or cleared because it
was dealt with) is not e-mailed: the newer one carries its own copy.
"""

import datetime
import logging
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from conversations.models import Notification

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=10)
SWEEP_BATCH = 200


def notice_message(*, notification):
    recipient = notification.recipient
    context = {"recipient": recipient, "title": notification.title, "body": notification.body,
               "url": settings.SITE_URL + notification.url if notification.url else "",
               "site_url": settings.SITE_URL}
    text = render_to_string("conversations/email/notice.txt", context)
    return EmailMessage(subject=" ".join(notification.title.split()), body=text, to=[recipient.email],
                        headers={"Message-ID": notice_message_id(notification)})


def notice_message_id(notification):
    """The same Message-ID on every attempt, so that a mail system that has the first copy drops a second."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notice-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


def _owed():
    return Notification.objects.filter(email_pending=True)


def _claim(notification_id, *, now):
    return _owed().filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - STALE_CLAIM), pk=notification_id,
    ).update(email_claimed_at=now)


def send_notice_email(*, notification_id, now):
    """Claim, send and record one notification's e-mail. Returns 1 when it went out, 0 when there was nothing to
    send (sent already, taken from under the bell, another sender has it, the person has left or has no address)."""
    if not _claim(notification_id, now=now):
        return 0
    ours = Notification.objects.filter(pk=notification_id, email_claimed_at=now)
    notification = Notification.objects.select_related("recipient__user").get(pk=notification_id)
    if not notification.recipient.is_active or not notification.recipient.email:
        # Nobody to write to: the bell is all they get.
        ours.update(email_pending=False, email_claimed_at=None)
        return 0
    try:
        notice_message(notification=notification).send()
    except Exception:
        # Not sent: let the task's retry, or the next sweep, have it.
        ours.update(email_claimed_at=None)
        raise
    ours.update(email_pending=False, email_claimed_at=None, emailed_at=now)
    return 1


def send_missed_notice_emails(*, now):
    """Send what is still owed a grace period after the notification was made (the task queued then has had its
    chance). One failure does not stop the others. Returns (sent, failed)."""
    grace = datetime.timedelta(seconds=settings.INVITATION_GRACE_SECONDS)
    owed = (_owed().filter(created_at__lte=now - grace)
            .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - STALE_CLAIM))
            .order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    sent = failed = 0
    for notification_id in owed:
        try:
            sent += send_notice_email(notification_id=notification_id, now=now)
        except Exception:
            logger.exception("notice e-mail %s not sent; the next sweep tries again", notification_id)
            failed += 1
    return sent, failed


# Here rather than in conversations.tasks, which imports modules that notify(): notify() queues this one.
# SMTP failures (SMTPException is an OSError) are retried with backoff.
@shared_task(name="conversations.send_notification_email", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)
def send_notice_email_task(notification_id):
    send_notice_email(notification_id=notification_id, now=timezone.now())


def queue_notice_emails(notification_ids):
    try:
        for notification_id in notification_ids:
            send_notice_email_task.delay(notification_id)
    except Exception:
        # kombu and redis raise a variety of errors when the broker is unreachable. The e-mails stay owed on their
        # notifications, and the notice e-mail sweep sends them once it is back.
        logger.exception("notice e-mails %s not queued", notification_ids)
