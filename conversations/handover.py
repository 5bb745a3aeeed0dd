"""When an employee's manager changes, the history stays with the employee.

The new manager sees the dates and statuses of every conversation (as for any report) and, of their content, only
the shared notes and actions the employee chooses to hand over. A handover is due whenever the employee has held
conversations with a manager who is no longer theirs; this is worked out from the data, so a change made by hand,
in the admin or by an import is noticed alike. Its row is opened (and the employee told) when `people` announces
the change, or when the employee first chooses.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse

from conversations.models import ActionItem, Conversation, Handover, Notes, Relation
from conversations.notifications import Notice, notify
from people.models import Person


def _previous_manager(employee):
    """The partner of the employee's latest held conversation with a manager who is no longer theirs, or None."""
    latest = (Conversation.objects.held().filter(employee=employee, relation=Relation.MANAGER)
              .exclude(partner_id=employee.manager_id).select_related("partner").order_by("-starts_at").first())
    return latest.partner if latest is not None else None


def pending_handover(employee):
    """A handover the employee has not decided on yet, for the prompt that points them to it; None when none is
    due. It only reads: a handover not opened yet is returned unsaved."""
    if employee.manager_id is None or not _has_choices(employee):
        return None
    existing = Handover.objects.filter(employee=employee, new_manager_id=employee.manager_id).first()
    if existing is not None:
        return existing if existing.decided_at is None else None
    previous = _previous_manager(employee)
    if previous is None:
        return None
    return Handover(employee=employee, new_manager_id=employee.manager_id, previous_manager=previous)


def open_handover(employee):
    """Open the employee's handover to their current manager when one is due, and tell them when there is
    something to choose."""
    if employee.manager_id is None:
        return
    if Handover.objects.filter(employee=employee, new_manager_id=employee.manager_id).exists():
        return
    previous = _previous_manager(employee)
    if previous is None:
        return
    _, created = Handover.objects.get_or_create(
        employee=employee, new_manager_id=employee.manager_id, defaults={"previous_manager": previous},
    )
    if created and _has_choices(employee):
        notify(Notice(
            recipient=employee,
            title=f"You have a new manager, {employee.manager.name}",
            body="Choose which shared notes and actions from earlier career conversations they may see.",
            url=reverse("conversations:handover"),
        ))


def open_handovers_on_signal(sender, person_ids, **kwargs):
    """`people.signals.manager_changed`: open the handovers the new reporting lines make due."""
    for employee in Person.objects.filter(pk__in=person_ids, manager__isnull=False).select_related("manager__user"):
        open_handover(employee)


def _choosable(employee):
    return (Conversation.objects.filter(employee=employee).exclude(partner_id=employee.manager_id)
            .filter(Q(notes__visibility=Notes.Visibility.SHARED) | Q(actions__isnull=False)))


def _has_choices(employee):
    return _choosable(employee).exists()


def handover_choices(employee):
    """The employee's conversations, other than with their current manager, that have shared notes or actions to
    hand over; each with `shared_notes` and `action_list` prefetched."""
    shared = Notes.objects.filter(visibility=Notes.Visibility.SHARED).select_related("author__user")
    return list(
        _choosable(employee).distinct()
        .select_related("partner__user").order_by("-starts_at")
        .prefetch_related(Prefetch("notes", queryset=shared, to_attr="shared_notes"),
                          Prefetch("actions", queryset=ActionItem.objects.select_related("owner__user"),
                                   to_attr="action_list"))
    )


@transaction.atomic
def save_handover(*, employee, note_ids, action_ids, now):
    """Hand over exactly the chosen shared notes and actions (replacing an earlier choice)."""
    if employee.manager_id is None:
        raise ValidationError("You have no manager to hand over to.")
    handover, _ = Handover.objects.select_for_update().get_or_create(
        employee=employee, new_manager_id=employee.manager_id,
        defaults={"previous_manager": _previous_manager(employee)})
    allowed = Conversation.objects.filter(employee=employee).exclude(partner_id=employee.manager_id)
    notes = list(Notes.objects.filter(pk__in=note_ids, conversation__in=allowed,
                                      visibility=Notes.Visibility.SHARED))
    actions = list(ActionItem.objects.filter(pk__in=action_ids, conversation__in=allowed))
    if len(notes) != len(set(note_ids)) or len(actions) != len(set(action_ids)):
        raise ValidationError("Only shared notes and actions from your own conversations can be handed over.")
    first_decision = handover.decided_at is None
    handover.notes.set(notes)
    handover.actions.set(actions)
    handover.decided_at = now
    handover.save(update_fields=["decided_at"])
    if first_decision:
        notify(Notice(
            recipient=handover.new_manager,
            title=f"{employee.name} chose what to hand over from earlier career conversations",
            body=f"{len(notes)} shared notes and {len(actions)} actions.",
            url=reverse("conversations:team_member", args=[employee.pk]),
        ))
    return handover


def handed_over(*, manager, employee):
    """What `employee` handed over to `manager`, while `manager` is still their manager: (notes, actions)."""
    if employee.manager_id != manager.pk:
        return [], []
    handover = Handover.objects.filter(employee=employee, new_manager=manager, decided_at__isnull=False).first()
    if handover is None:
        return [], []
    notes = list(handover.notes.filter(visibility=Notes.Visibility.SHARED)
                 .select_related("author__user", "conversation").order_by("-conversation__starts_at"))
    actions = list(handover.actions.select_related("owner__user", "conversation")
                   .order_by("done_at", "due_on", "pk"))
    return notes, actions
