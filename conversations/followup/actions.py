"""Action items agreed in a conversation, and what each person has committed to.

An action is owned by the employee, the partner or the organisation (HR follows those up). Both participants
create and edit them; marking one done records when, so follow-through can be measured. HR alone closes what the
organisation owns; the participants ask HR for an update on it instead, and are told when it is done.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import dateformat

from conversations import audit
from conversations.followup.notes import notes_window
from conversations.models import ActionItem, ActionUpdateRequest, AuditEvent
from conversations.notifications import Notice, action_key, clear_notifications, notify
from conversations.reminders.restate import restate_organisation_bundles
from people.models import Person
from people.roles import HR_GROUP

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
    action = ActionItem.objects.create(
        conversation=conversation, text=text, owner_kind=owner_kind,
        owner=owner_person(conversation, owner_kind), due_on=due_on, created_by=by,
    )
    if action.owner is not None and action.owner_id != by.pk:
        # In the app only: actions are agreed several at a time, and the notes' own notice is e-mailed.
        notify(Notice(recipient=action.owner, title=f"{by.name} gave you an action: {' '.join(text.split())}"[:200],
                      body=f"Agreed in your career conversation with {by.name}.",
                      url=f"{reverse('conversations:commitments')}#action-{action.pk}",
                      key=action_key(action.pk)))
    return action


def update_action(*, action, text, owner_kind, due_on, now):
    window = notes_window(action.conversation, now=now)
    if not window.editable:
        raise ValidationError(window.reason)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what will be done."})
    was_organisations = action.owner_kind == ActionItem.Owner.ORGANISATION
    action.text = text
    action.owner_kind = owner_kind
    action.owner = owner_person(action.conversation, owner_kind)
    action.due_on = due_on
    action.save(update_fields=["text", "owner_kind", "owner", "due_on", "updated_at"])
    if was_organisations and owner_kind != ActionItem.Owner.ORGANISATION:
        _withdraw_update_requests(action)
    if was_organisations or owner_kind == ActionItem.Owner.ORGANISATION:
        restate_organisation_bundles(now=now)
    return action


def complete_action(*, action, now, by=None):
    """Mark done. Done twice (two tabs, a double click) keeps the first time it was done, and tells those who
    asked for an update once."""
    done = ActionItem.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=now, updated_at=now)
    action.refresh_from_db(fields=["done_at", "updated_at"])
    _clear_reminders_of(action.pk, action.owner_kind, now=now)
    if done:
        _answer_update_requests(action, by=by, now=now)
    return action


def _one_line(text, limit=120):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def update_request_key(request_id):
    return f"update_request:{request_id}"


def _hr_people():
    return (Person.objects.filter(is_active=True, user__is_active=True, user__groups__name=HR_GROUP)
            .select_related("user"))


def open_update_request(*, action, person):
    return ActionUpdateRequest.objects.filter(action=action, asked_by=person, answered_at__isnull=True).first()


def ask_for_update(*, action, by, now):
    """A participant asks HR how an action the organisation owns is getting on. HR is told under the bell and by
    e-mail, with a link to the action on their organisation-actions page. One open request per action and
    person: asking again returns the earlier request. Returns (request, True when it was asked just now)."""
    if action.owner_kind != ActionItem.Owner.ORGANISATION:
        raise ValidationError("Only actions the organisation owns are followed up by HR.")
    if action.is_done:
        raise ValidationError("This action is done already.")
    earlier = open_update_request(action=action, person=by)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            request = ActionUpdateRequest.objects.create(action=action, asked_by=by, asked_at=now)
    except IntegrityError:
        # Two clicks at the same moment: the other one asked.
        return open_update_request(action=action, person=by), False
    conversation = action.conversation
    audit.record_access(actor=by, conversation=conversation, subject=AuditEvent.Record.ACTION,
                        action=AuditEvent.Action.UPDATE_ASKED, now=now)
    notify(*[Notice(recipient=hr,
                    title=_one_line(f"{by.name} asked for an update on an organisation action: {action.text}", 200),
                    body=(f"Agreed in {conversation.employee.name}'s conversation with {conversation.partner.name} "
                          f"on {dateformat.format(conversation.starts_at.astimezone(hr.tz), 'j F Y')}. "
                          f"Mark it done once it is, and {by.name} is told."),
                    url=f"{reverse('conversations:commitments')}#action-{action.pk}", email=True,
                    key=update_request_key(request.pk))
             for hr in _hr_people()])
    return request, True


def _answer_update_requests(action, *, by, now):
    """Tell everyone who asked for an update on it that the action is done, and take the requests from HR's bell."""
    if action.owner_kind != ActionItem.Owner.ORGANISATION:
        return
    requests = list(ActionUpdateRequest.objects.filter(action=action, answered_at__isnull=True)
                    .select_related("asked_by__user"))
    if not requests:
        return
    ActionUpdateRequest.objects.filter(pk__in=[request.pk for request in requests]).update(answered_at=now)
    clear_notifications(*[update_request_key(request.pk) for request in requests])
    who = f"{by.name} (HR)" if by is not None else "HR"
    notify(*[Notice(recipient=request.asked_by, title=_one_line(f"Done: {action.text}", 200),
                    body=f"{who} marked done the organisation action you asked about.",
                    url=reverse("conversations:notes", args=[action.conversation_id]) + f"#action-{action.pk}",
                    email=True, key=f"update_answered:{action.pk}")
             for request in requests if request.asked_by.is_active])


def _withdraw_update_requests(action):
    """An action removed, or no longer the organisation's: nobody waits on HR for it any more."""
    requests = ActionUpdateRequest.objects.filter(action=action, answered_at__isnull=True)
    clear_notifications(*[update_request_key(pk) for pk in requests.values_list("pk", flat=True)])
    requests.delete()


def _clear_reminders_of(action_id, owner_kind, *, now):
    """A done or removed action no longer shows as due or overdue under anyone's bell."""
    clear_notifications(action_key(action_id))
    if owner_kind == ActionItem.Owner.ORGANISATION:
        restate_organisation_bundles(now=now)


def reopen_action(*, action, now):
    action.done_at = None
    action.save(update_fields=["done_at", "updated_at"])
    if action.owner_kind == ActionItem.Owner.ORGANISATION:
        restate_organisation_bundles(now=now)
    return action


def remove_action(*, action, now):
    """An action added by mistake can be removed while the conversation's notes are still editable; after that
    it is part of the record, and is marked done or left open instead."""
    window = notes_window(action.conversation, now=now)
    if not window.editable:
        raise ValidationError("This conversation's record has locked: mark the action done instead of removing it.")
    if action.is_done:
        raise ValidationError("A done action stays on the record: reopen it first if it was marked done by mistake.")
    _withdraw_update_requests(action)
    action_id = action.pk
    action.delete()
    _clear_reminders_of(action_id, action.owner_kind, now=now)


def overdue_first(actions, *, today):
    """Open actions, overdue first, then by due date (undated last)."""
    return actions.filter(done_at__isnull=True).annotate(
        is_overdue=Case(When(due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).order_by(F("is_overdue").desc(), F("due_on").asc(nulls_last=True), "pk")


def with_update_requests(actions):
    """Each action with its open update requests (`open_update_requests`), for HR to see who is waiting and for
    the participants to see that they asked."""
    return actions.prefetch_related(Prefetch(
        "update_requests", to_attr="open_update_requests",
        queryset=ActionUpdateRequest.objects.filter(answered_at__isnull=True).select_related("asked_by__user")))


def _with_context(actions):
    return with_update_requests(
        actions.select_related("conversation__employee__user", "conversation__partner__user", "owner__user"))


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
