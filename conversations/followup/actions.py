"""Action items agreed in a conversation, and what each person has committed to.

An action is owned by the employee, the partner or the organisation (HR follows those up). Both participants
create and edit them; marking one done records when, so follow-through can be measured.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, F, Q, Value, When

from conversations.followup.notes import notes_window
from conversations.models import ActionItem

DONE_SHOWN = 20


def owner_person(conversation, owner_kind):
    """The person who owns an action of this kind in this conversation; None for the organisation."""
    if owner_kind == ActionItem.Owner.EMPLOYEE:
        return conversation.employee
    if owner_kind == ActionItem.Owner.PARTNER:
        return conversation.partner
    if owner_kind == ActionItem.Owner.ORGANISATION:
        return None
    raise ValidationError({"owner_kind": "Choose who owns this action."})


def owner_label(action):
    """Who owns it, named for people reading a list of actions."""
    if action.owner_kind == ActionItem.Owner.ORGANISATION:
        return "The organisation"
    return action.owner.name if action.owner else action.get_owner_kind_display()


def add_action(*, conversation, by, text, owner_kind, due_on, now):
    window = notes_window(conversation, now=now)
    if not window.editable:
        raise ValidationError(window.reason)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what will be done."})
    return ActionItem.objects.create(
        conversation=conversation, text=text, owner_kind=owner_kind,
        owner=owner_person(conversation, owner_kind), due_on=due_on, created_by=by,
    )


def update_action(*, action, text, owner_kind, due_on, now):
    window = notes_window(action.conversation, now=now)
    if not window.editable:
        raise ValidationError(window.reason)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what will be done."})
    action.text = text
    action.owner_kind = owner_kind
    action.owner = owner_person(action.conversation, owner_kind)
    action.due_on = due_on
    action.save(update_fields=["text", "owner_kind", "owner", "due_on", "updated_at"])
    return action


def complete_action(*, action, now):
    """Mark done. Done twice (two tabs, a double click) keeps the first time it was done."""
    ActionItem.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=now, updated_at=now)
    action.refresh_from_db(fields=["done_at", "updated_at"])
    return action


def reopen_action(*, action):
    action.done_at = None
    action.save(update_fields=["done_at", "updated_at"])
    return action


def remove_action(*, action, now):
    """An action added by mistake can be removed while the conversation's notes are still editable; after that
    it is part of the record, and is marked done or left open instead."""
    window = notes_window(action.conversation, now=now)
    if not window.editable:
        raise ValidationError("This conversation's record has locked: mark the action done instead of removing it.")
    if action.is_done:
        raise ValidationError("A done action stays on the record: reopen it first if it was marked done by mistake.")
    action.delete()


def overdue_first(actions, *, today):
    """Open actions, overdue first, then by due date (undated last)."""
    return actions.filter(done_at__isnull=True).annotate(
        is_overdue=Case(When(due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).order_by(F("is_overdue").desc(), F("due_on").asc(nulls_last=True), "pk")


def _with_context(actions):
    return actions.select_related("conversation__employee__user", "conversation__partner__user", "owner__user")


@dataclass
class Commitments:
    mine: list
    waiting: list
    organisation: list
    done: list


def commitments_for(person, *, today, follows_organisation):
    """What a person has committed to (open, overdue first), what others owe in their conversations, what the
    organisation owes (for HR, who follows those up), and what they recently did."""
    mine = overdue_first(ActionItem.objects.filter(owner=person), today=today)
    waiting = overdue_first(
        ActionItem.objects.filter(Q(conversation__employee=person) | Q(conversation__partner=person))
        .exclude(owner=person), today=today,
    )
    organisation = ActionItem.objects.none()
    if follows_organisation:
        waiting = waiting.exclude(owner_kind=ActionItem.Owner.ORGANISATION)
        organisation = overdue_first(ActionItem.objects.filter(owner_kind=ActionItem.Owner.ORGANISATION), today=today)
    done = ActionItem.objects.filter(owner=person, done_at__isnull=False).order_by("-done_at")[:DONE_SHOWN]
    return Commitments(
        mine=list(_with_context(mine)),
        waiting=list(_with_context(waiting)),
        organisation=list(_with_context(organisation)),
        done=list(_with_context(done)),
    )
