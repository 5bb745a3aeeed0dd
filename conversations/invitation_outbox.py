"""Invitations go out once, even when the broker is down: an outbox on the conversation.

1. A booking, a move or a cancellation marks its new sequence as pending, in its own transaction: if the change
   is committed, so is the duty to send its invitation.
2. After the commit a task is queued to send it at once. When the broker is unreachable nothing is queued, and
3. a sweep run by Celery beat sends whatever is still pending a little later: after an outage, once.

Two senders (the task and the sweep, or two workers) are kept from both sending by a conditional UPDATE that only
one of them wins. A sender that dies after the mail server accepted the message and before the row is cleared
leaves a claim that is taken over after STALE_CLAIM: that invitation goes out twice, which calendars shrug off
(same UID and SEQUENCE). Losing it instead would leave a meeting out of someone's calendar.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q

from conversations.calendar import send_invitation
from conversations.models import Conversation

logger = logging.getLogger(__name__)

STALE_CLAIM = datetime.timedelta(minutes=10)
SWEEP_BATCH = 200


def mark_pending(conversation):
    """Record that the conversation's current sequence is to be sent (inside the change's transaction)."""
    Conversation.objects.filter(pk=conversation.pk).update(invitation_pending=conversation.sequence)


def _claim(conversation_id, sequence, *, now):
    return Conversation.objects.filter(
        Q(invitation_claimed_at__isnull=True) | Q(invitation_claimed_at__lt=now - STALE_CLAIM),
        pk=conversation_id, sequence=sequence, invitation_pending=sequence,
    ).update(invitation_claimed_at=now)


def send_pending_invitation(*, conversation_id, sequence, now):
    """Claim, send and clear one pending invitation. Returns the number of e-mails sent (0 when it was not
    pending, was superseded by a later change, or another sender has it)."""
    if not _claim(conversation_id, sequence, now=now):
        return 0
    ours = Conversation.objects.filter(pk=conversation_id, invitation_claimed_at=now)
    try:
        sent = send_invitation(conversation_id=conversation_id, sequence=sequence, now=now)
    except Exception:
        # Not sent: let the retry, or the next sweep, have it.
        ours.update(invitation_claimed_at=None)
        raise
    # Cleared only if no later change is pending meanwhile; that one keeps its own duty to be sent.
    if not ours.filter(invitation_pending=sequence).update(invitation_pending=None, invitation_claimed_at=None):
        ours.update(invitation_claimed_at=None)
    return sent


def send_missed_invitations(*, now):
    """Send what is still pending a grace period after its change (the task queued then has had its chance).
    One failure does not stop the others. Returns (sent, failed)."""
    grace = datetime.timedelta(seconds=settings.INVITATION_GRACE_SECONDS)
    pending = (
        Conversation.objects.filter(invitation_pending__isnull=False, updated_at__lte=now - grace)
        .filter(Q(invitation_claimed_at__isnull=True) | Q(invitation_claimed_at__lt=now - STALE_CLAIM))
        .order_by("updated_at").values_list("pk", "invitation_pending")[:SWEEP_BATCH]
    )
    sent = failed = 0
    for conversation_id, sequence in pending:
        try:
            sent += send_pending_invitation(conversation_id=conversation_id, sequence=sequence, now=now)
        except Exception:
            logger.exception("invitation for conversation %s (sequence %s) not sent; the next sweep tries again",
                             conversation_id, sequence)
            failed += 1
    return sent, failed
