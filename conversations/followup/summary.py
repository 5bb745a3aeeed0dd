"""Everything a participant sees of a conversation's follow-through, gathered once for the notes workspace and the
conversation page: preparation (when they may see it), notes, actions, carry-over and what they can do next."""

from dataclasses import dataclass

from conversations import audit
from conversations.followup.actions import with_update_requests
from conversations.followup.carryover import CarryOver, carry_over
from conversations.followup.completion import next_due_for
from conversations.followup.notes import NotesWindow, notes_by, notes_window
from conversations.models import Conversation, Preparation
from conversations.permissions import visible_actions
from people.permissions import can
from people.roles import person_of


@dataclass
class Followup:
    conversation: Conversation
    viewer: object
    is_employee: bool
    is_partner: bool
    window: NotesWindow
    preparation: Preparation | None
    my_notes: dict
    their_notes: list
    actions: list
    carry: CarryOver
    has_started: bool
    next_due: tuple | None
    today: object
    # HR closes the actions the organisation owns; the participants see who will.
    follows_organisation: bool = False

    @property
    def other(self):
        return self.conversation.other_participant(self.viewer)

    @property
    def is_cancelled(self):
        return self.conversation.status == Conversation.Status.CANCELLED

    @property
    def is_held(self):
        return self.conversation.status == Conversation.Status.COMPLETED

    @property
    def is_proposal(self):
        return self.conversation.status == Conversation.Status.REQUESTED

    @property
    def can_mark_held(self):
        """The partner marks it once it has started, and may correct the outcome while the record is open."""
        if not self.is_partner or self.is_cancelled or not self.has_started:
            return False
        return self.conversation.is_active or self.window.editable

    @property
    def can_reflect(self):
        return self.is_employee and self.is_held

    @property
    def shared_notes(self):
        """Shared notes of both participants, for a read-only view."""
        mine = self.my_notes.get("shared")
        return ([mine] if mine else []) + [notes for notes in self.their_notes if notes.visibility == "shared"]


def followup_for(conversation, *, user, now):
    viewer = person_of(user)
    try:
        preparation = conversation.preparation
    except Preparation.DoesNotExist:
        preparation = None
    if preparation is not None and not can(user, "conversations.view_preparation", preparation):
        preparation = None
    mine, theirs = notes_by(conversation, user=user)
    actions = list(with_update_requests(visible_actions(user).filter(conversation=conversation)
                                        .select_related("owner__user").order_by("done_at", "due_on", "pk")))
    next_due = None
    if conversation.status == Conversation.Status.COMPLETED:
        next_due = next_due_for(conversation.employee, now=now)
    return Followup(
        conversation=conversation, viewer=viewer,
        is_employee=viewer.pk == conversation.employee_id, is_partner=viewer.pk == conversation.partner_id,
        window=notes_window(conversation, now=now), preparation=preparation, my_notes=mine, their_notes=theirs,
        actions=actions, carry=carry_over(conversation, user=user), has_started=conversation.starts_at <= now,
        next_due=next_due, today=now.astimezone(viewer.tz).date(),
        follows_organisation=can(user, "conversations.follow_organisation_actions"),
    )


def workspace_for(conversation, *, user, now):
    """The follow-through as the notes workspace shows it; the preparation and the notes it shows are recorded in
    the audit log as read by `user`."""
    followup = followup_for(conversation, user=user, now=now)
    audit.record_views(actor=user, conversation=conversation, now=now,
                       subjects=[followup.preparation, *followup.my_notes.values(), *followup.their_notes])
    return followup


def followup_panel_for(conversation, *, user, now):
    """The follow-through as the conversation page's panel shows it, to participants only (None for anyone else).
    The panel shows the shared notes' text, so it is recorded as the notes workspace's is."""
    if not can(user, "conversations.view_conversation", conversation):
        return None
    followup = followup_for(conversation, user=user, now=now)
    audit.record_views(actor=user, conversation=conversation, subjects=followup.shared_notes, now=now)
    return followup
