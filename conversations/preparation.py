"""The employee's preparation for a conversation, structured by the article.

It is a draft, seen by its author only, until the employee shares it with the partner; they can stop sharing it
again. Aspirations carry forward: a new preparation starts from the aspirations of the employee's latest earlier
one, to be confirmed or changed rather than typed again.
"""

from django.db import IntegrityError, transaction

from conversations import audit
from conversations.models import ActionItem, Conversation, Preparation, Topic
from conversations.notifications import Notice, notify
from people.permissions import can

ASPIRATION_FIELDS = ("aspiration_direction", "aspiration_target", "aspiration_horizon")


def previous_preparation(*, conversation):
    """The employee's latest preparation, before this conversation, that states an aspiration."""
    earlier = (
        Preparation.objects.filter(conversation__employee_id=conversation.employee_id,
                                   conversation__starts_at__lt=conversation.starts_at)
        .exclude(conversation__status=Conversation.Status.CANCELLED)
        .select_related("conversation")
        .order_by("-conversation__starts_at")
    )
    # The target is encrypted: whether it is filled in is known only once it is read.
    return next((preparation for preparation in earlier.iterator(chunk_size=20)
                 if preparation.aspiration_direction or preparation.aspiration_target), None)


def preparation_for(*, conversation):
    """The conversation's preparation; a new one (not saved until the employee saves) starts from the aspirations
    of their previous preparation."""
    existing = Preparation.objects.filter(conversation=conversation).first()
    if existing is not None:
        return existing
    previous = previous_preparation(conversation=conversation)
    carried = {field: getattr(previous, field) for field in ASPIRATION_FIELDS} if previous else {}
    return Preparation(conversation=conversation, **carried)


def readable_preparation(preparation, *, user, now):
    """The preparation as `user` may read it, or None; reading one that has something in it is recorded in the
    audit log."""
    if preparation is None or not can(user, "conversations.view_preparation", preparation):
        return None
    if not preparation.is_empty:
        audit.record_access(actor=user, conversation=preparation.conversation, subject=preparation,
                            action=audit.Action.VIEWED, now=now)
    return preparation


def save_preparation(*, preparation, values, actor, now):
    """Write `values` (validated, by field name) to the preparation; the first save creates it. The change is
    recorded in the audit log as `actor`'s.

    Two first saves can race (the autosave and the button, or two tabs): the loser's values are written over the
    row the winner created, as a later save would be.
    """
    for name, value in values.items():
        setattr(preparation, name, value)
    try:
        with transaction.atomic():
            preparation.save()
    except IntegrityError:
        existing = Preparation.objects.get(conversation=preparation.conversation)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        preparation = existing
    audit.record_access(actor=actor, conversation=preparation.conversation, subject=preparation,
                        action=audit.Action.CHANGED, now=now)
    return preparation


def is_editable(preparation):
    """A preparation can change while its conversation is still booked; afterwards it is the record."""
    return preparation.conversation.is_active


def share_preparation(*, preparation, now):
    """Let the partner read the preparation (and every later change to it), and tell them in the app."""
    if preparation.shared_at is not None:
        return preparation
    preparation.shared_at = now
    preparation.save(update_fields=["shared_at", "updated_at"])
    conversation = preparation.conversation
    notify(Notice(
        recipient=conversation.partner,
        title=f"{conversation.employee.name} shared their preparation",
        body="Read it before your career conversation.",
        url=conversation.get_absolute_url(),
    ))
    return preparation


def withdraw_preparation(*, preparation):
    """Stop sharing: the partner no longer sees the preparation."""
    preparation.shared_at = None
    preparation.save(update_fields=["shared_at", "updated_at"])
    return preparation


def open_actions_for(*, employee):
    """What the employee agreed to in earlier conversations and has not done: worth bringing to the next one."""
    return list(
        ActionItem.objects.filter(conversation__employee=employee, done_at__isnull=True)
        .select_related("conversation__partner__user", "owner__user")
        .order_by("due_on", "pk")
    )


def status_of(preparation, *, viewer_is_employee):
    """How far the preparation is, as its viewer may know it: the partner never learns of an unshared draft."""
    if preparation is not None and preparation.is_shared:
        return "shared"
    if not viewer_is_employee:
        return "not_shared"
    if preparation is None or preparation.is_empty:
        return "not_started"
    return "draft"


def topic_labels(preparation):
    """The labels of the topics ticked, in the article's order."""
    chosen = set(preparation.topics or ()) if preparation is not None else set()
    return [label for value, label in Topic.choices if value in chosen]
