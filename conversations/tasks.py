from celery import shared_task
from django.utils import timezone

from . import calendar, invitation_outbox


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


@shared_task(name="conversations.send_missed_invitations")
def send_missed_invitations():
    invitation_outbox.send_missed_invitations(now=timezone.now())
