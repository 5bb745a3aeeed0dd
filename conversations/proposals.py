"""A manager proposes a time for a report's next conversation; the report accepts or declines.

A proposal is a conversation in the `requested` state: it holds the slot in both diaries (the database's
one-conversation-per-start constraints apply to it) until the employee answers.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat

from conversations.booking import TimeNotFree, lock_free_time, send_invitation_after_commit
from conversations.models import Conversation, Relation
from conversations.notifications import Notice, notify

PROPOSAL_MINUTES = (30, 45, 60, 90)
# Far enough for any real plan; a typo such as year 9999 would otherwise hold both diaries for ever, and a time at
# the end of the calendar cannot be shown in a timezone ahead of UTC.
PROPOSAL_HORIZON = datetime.timedelta(days=366)
TAKEN = "That time was just taken: choose another."


def suggested_start(*, manager, now):
    """The next working day at 10:00 in the manager's timezone: a sensible first suggestion."""
    day = now.astimezone(manager.tz).date() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=manager.tz)


def _not_free_message(error, *, manager, employee):
    """The proposal's own wording of TimeNotFree: the manager's clash is named before the employee's."""
    if any(manager.pk in (clash.employee_id, clash.partner_id) for clash in error.clashes):
        return "You already have a conversation at that time."
    return f"{employee.name} already has a conversation at that time."


def propose_conversation(*, manager, employee, starts_at, minutes, location, kind, now):
    if starts_at <= now:
        raise ValidationError({"starts_at": "Choose a time in the future."})
    if starts_at > now + PROPOSAL_HORIZON:
        raise ValidationError({"starts_at": "Choose a time within the next year."})
    if minutes not in PROPOSAL_MINUTES:
        raise ValidationError({"minutes": "Choose one of the lengths offered."})
    if not employee.is_active:
        raise ValidationError("This person has left the organisation.")
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    try:
        with transaction.atomic():
            # The same locks and check as a booking, so that a proposal and a booking (or two proposals) for
            # overlapping times are decided one after the other, never both.
            lock_free_time(employee=employee, partner=manager, starts_at=starts_at, ends_at=ends_at, by=manager)
            conversation = Conversation.objects.create(
                employee=employee, partner=manager, relation=Relation.MANAGER, starts_at=starts_at, ends_at=ends_at,
                location=location.strip(), kind=kind, status=Conversation.Status.REQUESTED, booked_by=manager,
            )
            when = dateformat.format(starts_at.astimezone(employee.tz), "D j M Y, H:i T")
            notify(Notice(
                recipient=employee,
                title=f"{manager.name} proposed a career conversation on {when}",
                body="Accept the time, or decline it with a reason so that another can be found.",
                url=conversation.get_absolute_url(), email=True,
            ))
    except IntegrityError as error:
        raise ValidationError({"starts_at": TAKEN}) from error
    except TimeNotFree as error:
        raise ValidationError({"starts_at": _not_free_message(error, manager=manager, employee=employee)}) from error
    return conversation


@transaction.atomic
def accept_proposal(*, conversation):
    """Confirm a proposed time; both people then receive the calendar invitation, as for a booking."""
    updated = Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.REQUESTED).update(
        status=Conversation.Status.CONFIRMED)
    if not updated:
        raise ValidationError("This proposal has already been answered.")
    conversation.refresh_from_db()
    send_invitation_after_commit(conversation)
    notify(Notice(
        recipient=conversation.partner,
        title=f"{conversation.employee.name} accepted your proposed career conversation",
        url=reverse("conversations:notes", args=[conversation.pk]),
    ))
    return conversation


def decline_proposal(*, conversation, reason, now):
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so that a better time can be found."})
    updated = Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.REQUESTED).update(
        status=Conversation.Status.CANCELLED, cancelled_by=conversation.employee, cancelled_at=now,
        change_reason=reason, updated_at=now,
    )
    if not updated:
        raise ValidationError("This proposal has already been answered.")
    conversation.refresh_from_db()
    notify(Notice(
        recipient=conversation.partner,
        title=f"{conversation.employee.name} declined your proposed career conversation",
        body=reason,
        url=reverse("conversations:team"), email=True,
    ))
    return conversation

