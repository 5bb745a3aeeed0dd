"""Carry-over: what a conversation starts from — open actions and aspirations from earlier conversations, and the
roadblocks raised before, with how many conversations each has stayed open.

A viewer only ever sees the earlier conversations they could open themselves: the employee sees their whole
history, a partner only what was said with them. A roadblock raised with someone else reaches a partner once it is
raised again in a conversation with them.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from conversations.followup.notes import notes_window
from conversations.models import ActionItem, Conversation, Preparation, Roadblock
from conversations.permissions import visible_roadblocks
from people.roles import person_of


@dataclass
class CarryOver:
    previous: Conversation | None
    open_actions: list
    aspiration: Preparation | None
    roadblocks: list

    @property
    def earlier_roadblocks(self):
        """Still open and raised in an earlier conversation: what this one starts from. One raised only here is
        this conversation's own."""
        return [roadblock for roadblock in self.roadblocks if roadblock.raised_before and not roadblock.resolved_at]

    @property
    def is_empty(self):
        return (self.previous is None and not self.open_actions and self.aspiration is None
                and not self.earlier_roadblocks)


def _earlier_conversations(conversation, viewer):
    earlier = Conversation.objects.filter(employee=conversation.employee, starts_at__lt=conversation.starts_at)
    if viewer.pk != conversation.employee_id:
        earlier = earlier.filter(partner=viewer)
    return earlier


def roadblocks_for(conversation, *, user):
    """The employee's roadblocks that `user` may see: open ones, and those resolved in this conversation, each
    annotated with `raised_count` (conversations it came up in, up to this one), `raised_here` and
    `raised_before` (in an earlier conversation).

    Carry-over runs forward in time only: a roadblock first raised in a later conversation is not shown on an
    earlier one, and later conversations do not add to its count there."""
    raised_in = Roadblock.raised_in.through.objects.filter(roadblock=OuterRef("pk"))
    raised_here = raised_in.filter(conversation=conversation)
    raised_by_then = raised_in.filter(conversation__starts_at__lte=conversation.starts_at)
    raised_before = raised_in.filter(conversation__starts_at__lt=conversation.starts_at)
    return list(
        visible_roadblocks(user).filter(employee=conversation.employee)
        .filter(Exists(raised_by_then))
        .filter(Q(resolved_at__isnull=True) | Q(resolved_in=conversation))
        .annotate(raised_count=Count("raised_in", distinct=True,
                                     filter=Q(raised_in__starts_at__lte=conversation.starts_at)),
                  raised_here=Exists(raised_here), raised_before=Exists(raised_before))
        .order_by("-raised_count", "created_at", "pk")
    )


def carry_over(conversation, *, user):
    viewer = person_of(user)
    earlier = _earlier_conversations(conversation, viewer)
    previous = earlier.held().select_related("partner__user").order_by("-starts_at").first()
    open_actions = list(
        ActionItem.objects.filter(conversation__in=earlier, done_at__isnull=True)
        .select_related("owner__user", "conversation").order_by("conversation__starts_at", "due_on", "pk")
    )
    # A cancelled conversation was never had: what was prepared for it is not "stated before".
    aspirations = (Preparation.objects.filter(conversation__in=earlier).exclude(aspiration_direction="")
                   .exclude(conversation__status=Conversation.Status.CANCELLED))
    if viewer.pk != conversation.employee_id:
        aspirations = aspirations.filter(shared_at__isnull=False)
    aspiration = aspirations.select_related("conversation").order_by("-conversation__starts_at").first()
    return CarryOver(previous=previous, open_actions=open_actions, aspiration=aspiration,
                     roadblocks=roadblocks_for(conversation, user=user))


def _require_open_record(conversation, *, now):
    window = notes_window(conversation, now=now)
    if not window.editable:
        raise ValidationError(window.reason)


@transaction.atomic
def raise_roadblock(*, conversation, by, text, now):
    _require_open_record(conversation, now=now)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Name the roadblock."})
    roadblock = Roadblock.objects.create(employee=conversation.employee, text=text, created_by=by)
    roadblock.raised_in.add(conversation)
    return roadblock


def raise_again(*, roadblock, conversation, now):
    """The roadblock came up again in this conversation: it counts one more conversation (once per conversation)."""
    _require_open_record(conversation, now=now)
    if roadblock.employee_id != conversation.employee_id:
        raise ValidationError("That roadblock belongs to someone else's conversations.")
    roadblock.raised_in.add(conversation)
    if roadblock.resolved_at is not None:
        roadblock.resolved_at = None
        roadblock.resolved_in = None
        roadblock.save(update_fields=["resolved_at", "resolved_in", "updated_at"])
    return roadblock


def resolve_roadblock(*, roadblock, conversation, now):
    _require_open_record(conversation, now=now)
    if roadblock.employee_id != conversation.employee_id:
        raise ValidationError("That roadblock belongs to someone else's conversations.")
    roadblock.resolved_at = now
    roadblock.resolved_in = conversation
    roadblock.save(update_fields=["resolved_at", "resolved_in", "updated_at"])
    return roadblock


def reopen_roadblock(*, roadblock, conversation, now):
    _require_open_record(conversation, now=now)
    roadblock.resolved_at = None
    roadblock.resolved_in = None
    roadblock.save(update_fields=["resolved_at", "resolved_in", "updated_at"])
    return roadblock
