"""The e-mail that tells a colleague they were asked for feedback goes out once, even when the broker is down:
an outbox on the answer row, as for invitations (see invitation_outbox).

1. Asking creates the colleague's answer row, which is the duty to e-mail them (`emailed_at` empty), in the same
   transaction as the request: if the request is committed, so is the e-mail.
2. After the commit a task is queued to send it at once. When the broker is unreachable nothing is queued, and
3. a sweep run by Celery beat sends whatever is still waiting a little later: after an outage, once.

Two senders (the task and the sweep, or two workers) are kept from both sending by a conditional UPDATE that only
one of them wins; a claim left by a sender that died is taken over after STALE_CLAIM. This module sends only, so
that conversations.tasks can import it and conversations.feedback can import the tasks.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string

from conversations.models import Area, FeedbackAnswer
from conversations.reminders import links

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=10)
SWEEP_BATCH = 200


def _waiting():
    """Answers whose colleague has not been e-mailed yet, while there is still something to answer."""
    return FeedbackAnswer.objects.filter(emailed_at__isnull=True, status=FeedbackAnswer.Status.ASKED,
                                         request__closed_at__isnull=True)


def _claim(answer_id, *, now):
    return _waiting().filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - STALE_CLAIM), pk=answer_id,
    ).update(email_claimed_at=now)


def _compose(answer):
    request = answer.request
    context = {"answer": answer, "request": request, "asker": request.asker, "colleague": answer.colleague,
               "areas": [Area(area).label for area in request.areas],
               "url": links.absolute(answer.get_absolute_url())}
    message = EmailMultiAlternatives(
        subject=f"{request.asker.name} asked you for feedback",
        body=render_to_string("conversations/email/feedback_request.txt", context), to=[answer.colleague.email])
    message.attach_alternative(render_to_string("conversations/email/feedback_request.html", context), "text/html")
    return message


def send_request_email(*, answer_id, now):
    """Claim, send and mark one colleague's e-mail. Returns 1 when it went out, 0 when there was nothing to send
    (already sent, answered meanwhile, the request closed, another sender has it, no address)."""
    if not _claim(answer_id, now=now):
        return 0
    ours = FeedbackAnswer.objects.filter(pk=answer_id, email_claimed_at=now)
    answer = FeedbackAnswer.objects.select_related("request__asker__user", "colleague__user").get(pk=answer_id)
    if answer.colleague is None or not answer.colleague.email:
        # Nobody to write to: the bell notification is all they get.
        ours.update(emailed_at=now, email_claimed_at=None)
        return 0
    try:
        _compose(answer).send()
    except Exception:
        # Not sent: let the task's retry, or the next sweep, have it.
        ours.update(email_claimed_at=None)
        raise
    ours.update(emailed_at=now, email_claimed_at=None)
    return 1


def send_missed_request_emails(*, now):
    """Send what is still waiting a grace period after it was asked (the task queued then has had its chance).
    One failure does not stop the others. Returns (sent, failed)."""
    grace = datetime.timedelta(seconds=settings.INVITATION_GRACE_SECONDS)
    waiting = (_waiting().filter(asked_at__lte=now - grace)
               .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - STALE_CLAIM))
               .order_by("asked_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    sent = failed = 0
    for answer_id in waiting:
        try:
            sent += send_request_email(answer_id=answer_id, now=now)
        except Exception:
            logger.exception("feedback request e-mail %s not sent; the next sweep tries again", answer_id)
            failed += 1
    return sent, failed
