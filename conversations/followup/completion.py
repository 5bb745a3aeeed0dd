"""Completing a conversation: the partner marks it held or a no-show; the employee reflects and acknowledges the
shared notes. A held conversation starts the employee's next cadence (see regularity.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from conversations.followup.notes import notes_window
from conversations.models import Conversation
from conversations.notifications import Notice, notify
from conversations.regularity import person_regularity, with_conversation_dates
from people.models import Person

OUTCOMES = (Conversation.Status.COMPLETED, Conversation.Status.NO_SHOW)


@transaction.atomic
def mark_held(*, conversation, outcome, now):
    """Record that the conversation was held (or that the employee did not come).

    Allowed once it has started. The outcome can be corrected while the notes are still editable; the edit
    window keeps counting from the first time it was marked.
    """
    if outcome not in OUTCOMES:
        raise ValidationError("Say whether the conversation was held or the employee did not come.")
    locked = Conversation.objects.select_for_update().select_related("employee__user", "partner__user").get(
        pk=conversation.pk)
    if locked.status == Conversation.Status.CANCELLED:
        raise ValidationError("This conversation was cancelled, so it cannot be marked held.")
    if locked.starts_at > now:
        start = timezone.localtime(locked.starts_at, locked.partner.tz)
        raise ValidationError(f"It can be marked once it has started ({dateformat.format(start, 'D j M Y, H:i T')}).")
    if locked.status in OUTCOMES and not notes_window(locked, now=now).editable:
        raise ValidationError("This conversation's record has locked, so its outcome can no longer be changed.")
    first_time = locked.status not in OUTCOMES
    locked.status = outcome
    if locked.held_at is None:
        locked.held_at = now
    locked.save(update_fields=["status", "held_at", "updated_at"])
    if first_time and outcome == Conversation.Status.COMPLETED:
        notify(Notice(
            recipient=locked.employee,
            title=f"{locked.partner.name} marked your career conversation as held",
            body="Read the shared notes and the actions you agreed, and add your own reflection.",
            url=reverse("conversations:notes", args=[locked.pk]),
        ))
    conversation.status, conversation.held_at = locked.status, locked.held_at
    return locked


def reflect(*, conversation, reflection, acknowledge, now):
    """The employee's own words on the conversation, and their acknowledgement of the shared notes.

    Acknowledging records when; it is not withdrawn by saving the reflection again without the box ticked.
    """
    if conversation.status != Conversation.Status.COMPLETED:
        raise ValidationError("You can reflect on a conversation once it has been held.")
    conversation.employee_reflection = reflection.strip()
    fields = ["employee_reflection", "updated_at"]
    if acknowledge and conversation.notes_acknowledged_at is None:
        conversation.notes_acknowledged_at = now
        fields.append("notes_acknowledged_at")
    conversation.save(update_fields=fields)
    return conversation


def next_due_for(employee, *, now):
    """The employee's next due date and regularity status, following from their last held conversation."""
    annotated = with_conversation_dates(Person.objects.filter(pk=employee.pk), now=now).get()
    return person_regularity(annotated, now=now)
