"""Who may see and do what, written once as django-rules predicates.

Object predicates answer False when asked without an object (the admin asks for model-level permissions that
way), leaving the answer to Django's ModelBackend.

Views ask through people.permissions' guard (`requires`, `require`) and the lookups here (`conversation_for`,
`action_for`, `roadblock_for`), which fetch an object from the `visible_*` queryset and check its rule in one call;
templates use `{% has_perm %}` from rules. The lookups live here rather than beside the views because each one is
the pair of a queryset and a rule written in this module, and a rule and its lookup change together.
An object a user may not see answers 404, never 403: its existence is private too.
"""

import rules
from django.db.models import Q

from conversations.models import (
    ActionItem,
    AuditEvent,
    Conversation,
    FeedbackAnswer,
    FeedbackRequest,
    Handover,
    Notes,
    Roadblock,
)
from people import roles
from people.permissions import get_allowed, has_person, is_a_manager, is_hr, is_manager_of, is_partner


def _person(user):
    return roles.person_of(user)


@rules.predicate
def is_participant(user, conversation):
    person = _person(user)
    return (person is not None and conversation is not None
            and person.pk in (conversation.employee_id, conversation.partner_id))


@rules.predicate
def is_conversation_employee(user, conversation):
    person = _person(user)
    return person is not None and conversation is not None and person.pk == conversation.employee_id


@rules.predicate
def is_conversation_partner(user, conversation):
    person = _person(user)
    return person is not None and conversation is not None and person.pk == conversation.partner_id


@rules.predicate
def is_notes_author(user, notes):
    person = _person(user)
    return person is not None and notes is not None and notes.author_id == person.pk


@rules.predicate
def is_shared_notes_participant(user, notes):
    return (notes is not None and notes.visibility == Notes.Visibility.SHARED
            and is_participant(user, notes.conversation))


@rules.predicate
def preparation_is_shared(user, preparation):
    return preparation is not None and preparation.shared_at is not None


@rules.predicate
def is_preparation_employee(user, preparation):
    return preparation is not None and is_conversation_employee(user, preparation.conversation)


@rules.predicate
def is_preparation_partner(user, preparation):
    return preparation is not None and is_conversation_partner(user, preparation.conversation)


rules.add_perm("conversations.view_conversation", is_participant)
rules.add_perm("conversations.change_conversation", is_participant)
rules.add_perm("conversations.view_preparation",
               is_preparation_employee | (is_preparation_partner & preparation_is_shared))
rules.add_perm("conversations.change_preparation", is_preparation_employee)
rules.add_perm("conversations.change_notes", is_notes_author)
rules.add_perm("conversations.offer_availability", is_partner)
rules.add_perm("conversations.view_participation", is_hr)
rules.add_perm("conversations.edit_question_library", is_hr)
rules.add_perm("people.view_team_status", is_manager_of)


def visible_conversations(user):
    """The conversations a user may open: only those they take part in."""
    person = _person(user)
    if person is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(Q(employee=person) | Q(partner=person))


def visible_notes(user):
    """Notes a user may read: their own, and shared notes on conversations they take part in."""
    person = _person(user)
    if person is None:
        return Notes.objects.none()
    return Notes.objects.filter(
        Q(author=person)
        | Q(visibility=Notes.Visibility.SHARED, conversation__employee=person)
        | Q(visibility=Notes.Visibility.SHARED, conversation__partner=person)
        | Q(pk__in=_handed_over(person, "notes"))
    )


def conversation_for(user, pk, perm="conversations.view_conversation"):
    """The conversation `pk` when `user` takes part in it and the rule allows them; NotVisible otherwise."""
    conversations = visible_conversations(user).select_related("employee__user", "partner__user", "booked_by__user",
                                                                "cancelled_by__user")
    return get_allowed(user, perm, conversations, pk=pk)


# --- Booking ----------------------------------------------------------------------------------------------------


@rules.predicate
def conversation_is_active(user, conversation):
    return conversation.is_active


def can_book_with(*, employee, partner):
    """An employee books their manager, or anyone who offers career conversations, never themselves."""
    if partner.pk == employee.pk or not partner.is_active:
        return False
    return partner.pk == employee.manager_id or partner.offers_conversations


@rules.predicate
def may_book_with(user, partner):
    person = _person(user)
    return person is not None and partner is not None and can_book_with(employee=person, partner=partner)


rules.add_perm("conversations.book_with", may_book_with)
rules.add_perm("conversations.reschedule_conversation", is_participant & conversation_is_active)
rules.add_perm("conversations.cancel_conversation", is_participant & conversation_is_active)


# --- Follow-through: notes workspace, actions, completion, roadblocks, handover, team -------------------------


def _handed_over(person, relation):
    """Primary keys of shared notes or actions an employee handed over to `person` as their current manager."""
    return Handover.objects.filter(
        new_manager=person, employee__manager=person, decided_at__isnull=False,
    ).values(f"{relation}__pk")


@rules.predicate
def is_handed_over_notes(user, notes):
    person = _person(user)
    return (person is not None and notes is not None and notes.visibility == Notes.Visibility.SHARED
            and Notes.objects.filter(pk=notes.pk, pk__in=_handed_over(person, "notes")).exists())


@rules.predicate
def is_action_participant(user, action):
    return action is not None and is_participant(user, action.conversation)


@rules.predicate
def is_organisation_action(user, action):
    return action is not None and action.owner_kind == ActionItem.Owner.ORGANISATION


@rules.predicate
def is_handed_over_action(user, action):
    person = _person(user)
    return (person is not None and action is not None
            and ActionItem.objects.filter(pk=action.pk, pk__in=_handed_over(person, "actions")).exists())


@rules.predicate
def is_roadblock_participant(user, roadblock):
    """The employee, and whoever the roadblock was raised with."""
    person = _person(user)
    if person is None or roadblock is None:
        return False
    return person.pk == roadblock.employee_id or roadblock.raised_in.filter(partner=person).exists()


rules.add_perm("conversations.view_notes", is_notes_author | is_shared_notes_participant | is_handed_over_notes)
rules.add_perm("conversations.take_notes", is_participant)
rules.add_perm("conversations.mark_held", is_conversation_partner)
rules.add_perm("conversations.reflect_on_conversation", is_conversation_employee)
rules.add_perm("conversations.respond_to_proposal", is_conversation_employee)
rules.add_perm("conversations.add_actionitem", is_participant)
rules.add_perm("conversations.view_actionitem",
               is_action_participant | (is_hr & is_organisation_action) | is_handed_over_action)
rules.add_perm("conversations.change_actionitem", is_action_participant)
# HR follows up what the organisation owes, so HR alone marks it done; the participants close their own.
rules.add_perm("conversations.complete_actionitem",
               (is_action_participant & ~is_organisation_action) | (is_hr & is_organisation_action))
# The participants ask HR how an action the organisation owns is getting on, instead of closing it.
rules.add_perm("conversations.ask_for_action_update", is_action_participant & is_organisation_action & ~is_hr)
rules.add_perm("conversations.view_commitments", has_person)
rules.add_perm("conversations.follow_organisation_actions", is_hr)
rules.add_perm("conversations.track_roadblocks", is_participant)
rules.add_perm("conversations.change_roadblock", is_roadblock_participant)
rules.add_perm("people.view_team", is_a_manager)
rules.add_perm("people.propose_conversation", is_manager_of)
rules.add_perm("people.hand_over", has_person)


def visible_actions(user):
    """Actions a user may read: those of their conversations, those handed over to them, and (for HR) every
    action the organisation owns, since HR follows those up."""
    person = _person(user)
    if person is None:
        return ActionItem.objects.none()
    condition = (Q(conversation__employee=person) | Q(conversation__partner=person)
                 | Q(pk__in=_handed_over(person, "actions")))
    if roles.is_hr(user):
        condition |= Q(owner_kind=ActionItem.Owner.ORGANISATION)
    return ActionItem.objects.filter(condition)


def action_for(user, pk, perm):
    """The action `pk` when `user` may read it and the rule allows them; NotVisible otherwise."""
    actions = visible_actions(user).select_related("conversation__employee__user", "conversation__partner__user",
                                                   "owner__user")
    return get_allowed(user, perm, actions, pk=pk)


def visible_roadblocks(user):
    """Roadblocks a user may read: their own, and those raised in a conversation they held."""
    person = _person(user)
    if person is None:
        return Roadblock.objects.none()
    raised_with_me = Roadblock.raised_in.through.objects.filter(conversation__partner=person).values("roadblock_id")
    return Roadblock.objects.filter(Q(employee=person) | Q(pk__in=raised_with_me))


def roadblock_for(user, pk, perm):
    """The roadblock `pk` when `user` may read it and the rule allows them; NotVisible otherwise."""
    return get_allowed(user, perm, visible_roadblocks(user), pk=pk)


@rules.predicate
def is_erasable_leaver(user, person):
    """A person who left, not yet erased, and not the one asking."""
    return (
        person is not None and not person.is_active and person.user_id != user.pk
        and not AuditEvent.objects.filter(subject=person, record=AuditEvent.Record.PERSONAL_DATA,
                                          action=AuditEvent.Action.ERASED).exists()
    )


rules.add_perm("people.view_own_privacy", has_person)
rules.add_perm("people.export_personal_data", has_person)
rules.add_perm("people.erase_person", is_hr & is_erasable_leaver)
rules.add_perm("conversations.view_access_counts", is_hr)


# --- Feedback from colleagues: the asker reads the answers, each colleague their own; nobody else either ------


@rules.predicate
def is_feedback_asker(user, request):
    person = _person(user)
    return person is not None and request is not None and request.asker_id == person.pk


@rules.predicate
def is_feedback_colleague(user, answer):
    person = _person(user)
    return person is not None and answer is not None and answer.colleague_id == person.pk


rules.add_perm("conversations.ask_for_feedback", has_person)
rules.add_perm("conversations.view_feedback_request", is_feedback_asker)
rules.add_perm("conversations.answer_feedback", is_feedback_colleague)


def feedback_request_for(user, pk, perm="conversations.view_feedback_request"):
    """The request `pk` when `user` asked it; NotVisible otherwise."""
    person = _person(user)
    requests = FeedbackRequest.objects.filter(asker=person) if person is not None else FeedbackRequest.objects.none()
    return get_allowed(user, perm, requests.select_related("asker__user", "conversation__partner__user"), pk=pk)


def feedback_answer_for(user, pk, perm="conversations.answer_feedback"):
    """The answer `pk` when `user` is the colleague who was asked; NotVisible otherwise."""
    person = _person(user)
    answers = FeedbackAnswer.objects.filter(colleague=person) if person is not None else FeedbackAnswer.objects.none()
    return get_allowed(user, perm, answers.select_related("request__asker__user", "colleague__user"), pk=pk)
