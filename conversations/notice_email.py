"""The e-mail copy of an in-app notification, for events a person should hear of without opening the app (a
proposed time, its answer, shared notes, a new action, a handover). Calendar changes have their own e-mail, the
invitation, and reminders theirs."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from people.models import Person

logger = logging.getLogger(__name__)


def notice_message(*, recipient, title, body, url):
    context = {"recipient": recipient, "title": title, "body": body,
               "url": settings.SITE_URL + url if url else "", "site_url": settings.SITE_URL}
    text = render_to_string("conversations/email/notice.txt", context)
    return EmailMessage(subject=" ".join(title.split()), body=text, to=[recipient.email])


def send_notice_email(*, recipient_id, title, body, url):
    """Returns 1 when sent; 0 when the person has left or has no address since."""
    recipient = Person.objects.select_related("user").filter(pk=recipient_id, is_active=True).first()
    if recipient is None or not recipient.email:
        return 0
    return notice_message(recipient=recipient, title=title, body=body, url=url).send()


# SMTP failures (SMTPException is an OSError) are retried with backoff.
@shared_task(name="conversations.send_notice_email", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_notice_email_task(recipient_id, title, body, url):
    return send_notice_email(recipient_id=recipient_id, title=title, body=body, url=url)


def queue_notice_email(*, recipient_id, title, body, url):
    try:
        send_notice_email_task.delay(recipient_id, title, body, url)
    except Exception:
        # The broker is unreachable: the notification is under the bell all the same, so only the copy is lost.
        logger.exception("notice e-mail to person %s not queued", recipient_id)
