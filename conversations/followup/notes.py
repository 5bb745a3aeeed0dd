"""Guided notes: each participant writes their own, shared with the other participant or private to themselves.

Notes stay editable until the organisation's edit window (Organisation.notes_edit_days) has passed since the
conversation was held; then they lock, and the moment they locked is recorded on the conversation.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ExpressionWrapper, F
from django.utils import dateformat

from conversations import audit
from conversations.models import FEEDBACK_AREA_FIELDS, Conversation, Notes
from conversations.notifications import Notice, notify
from conversations.permissions import visible_notes
from people.models import Organisation
from people.roles import person_of

# The order of the guided form: the article's three areas, the three further fields, then a summary.
NOTE_FIELDS = (*FEEDBACK_AREA_FIELDS, "summary")


@dataclass(frozen=True)
class NotesWindow:
    """Whether notes on a conversation can still be edited, and until when."""

    editable: bool
    locks_at: datetime.datetime | None = None
    locked_at: datetime.datetime | None = None
    reason: str = ""


def notes_window(conversation, *, now, edit_days=None):
    if edit_days is None:
        edit_days = Organisation.current().notes_edit_days
    if conversation.status == Conversation.Status.CANCELLED:
        return NotesWindow(editable=False, reason="This conversation was cancelled, so its notes are read-only.")
    locked_at = conversation.notes_locked_at
    if locked_at is None and conversation.held_at is not None:
        locks_at = conversation.held_at + datetime.timedelta(days=edit_days)
        if locks_at > now:
            return NotesWindow(editable=True, locks_at=locks_at)
        locked_at = locks_at
    if locked_at is not None:
        return NotesWindow(editable=False, locked_at=locked_at,
                           reason=f"Notes lock {edit_days} days after a conversation is held, and these have locked.")
    return NotesWindow(editable=True)


def notes_by(conversation, *, user):
    """What `user` may read of the notes on a conversation, split into their own and the other participant's."""
    me = person_of(user)
    mine = {Notes.Visibility.SHARED: None, Notes.Visibility.PRIVATE: None}
    theirs = []
    for notes in visible_notes(user).filter(conversation=conversation).select_related("author__user"):
        if me is not None and notes.author_id == me.pk:
            mine[notes.visibility] = notes
        else:
            theirs.append(notes)
    return mine, theirs


def save_notes(*, conversation, author, visibility, values, now):
    """Write the author's notes of one visibility, recording the change in the audit log. Refused once the notes
    have locked; the lock is then recorded (after the row lock is released, so that the refusal does not roll the
    record back)."""
    with transaction.atomic():
        locked_conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        window = notes_window(locked_conversation, now=now)
        if window.editable:
            before = Notes.objects.filter(conversation=locked_conversation, author=author,
                                          visibility=visibility).first()
            notes, _ = Notes.objects.update_or_create(
                conversation=locked_conversation, author=author, visibility=visibility,
                defaults={field: values.get(field, "") for field in NOTE_FIELDS},
            )
            audit.record_access(actor=author, conversation=locked_conversation, subject=notes,
                                action=audit.Action.CHANGED, now=now)
            if visibility == Notes.Visibility.SHARED and _has_text(notes) and not (before and _has_text(before)):
                _tell_about_shared_notes(locked_conversation, author)
            return notes
    if window.locked_at is not None:
        Conversation.objects.filter(pk=conversation.pk, notes_locked_at__isnull=True).update(
            notes_locked_at=window.locked_at)
    raise ValidationError(window.reason, code="locked")


def _has_text(notes):
    return any(getattr(notes, field).strip() for field in NOTE_FIELDS)


def _tell_about_shared_notes(conversation, author):
    """The other participant hears once, when shared notes first have something in them: autosave writes them
    every few seconds, and a notice per save would bury everything else under the bell."""
    other = conversation.other_participant(author)
    held_on = dateformat.format(conversation.starts_at.astimezone(other.tz), "j F")
    notify(Notice(recipient=other, title=f"{author.name} shared their notes on your conversation of {held_on}",
                  body="Read them on the conversation page, with the actions you agreed.",
                  url=conversation.get_absolute_url(), email=True, key=f"notes:{conversation.pk}:{author.pk}"))


def record_notes_locks(*, now):
    """Record the lock on every held conversation whose edit window has passed; returns how many.

    One UPDATE for the whole organisation. The recorded time is when the window closed, not when this ran,
    so a late sweep still records the true moment.
    """
    window = datetime.timedelta(days=Organisation.current().notes_edit_days)
    return Conversation.objects.filter(
        notes_locked_at__isnull=True, held_at__isnull=False, held_at__lte=now - window,
    ).exclude(status=Conversation.Status.CANCELLED).update(
        notes_locked_at=ExpressionWrapper(F("held_at") + window, output_field=Conversation._meta.get_field("held_at"))
    )
