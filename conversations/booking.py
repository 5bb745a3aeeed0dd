"""Booking, rescheduling and cancelling a career conversation.

Double booking is impossible: every write, a manager's proposal (proposals.py) included, takes a row lock on both
people (in a fixed order, so two writes never wait on each other in a cycle) before it looks at their calendars,
so two requests for the same partner are serialised and the second one sees the first one's conversation. The
partial unique constraints on (partner, starts_at) and (employee, starts_at) stay as the last line should a write
ever bypass this module.
"""

import datetime
import logging

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import dateformat

from conversations import availability, invitation_outbox, tasks
from conversations.calendars import connections
from conversations.models import Conversation, Relation
from conversations.notifications import Notice, notify
from conversations.permissions import can_book_with
from people.models import Person
from people.roles import HR_GROUP

logger = logging.getLogger(__name__)

TAKEN = "That time was just taken. Please choose another time."

# Relations that follow from the organisation chart; the others are the employee's to say.
DERIVED_RELATIONS = (Relation.MANAGER, Relation.SKIP_LEVEL, Relation.HR)
CHOSEN_RELATIONS = (Relation.MENTOR, Relation.PEER, Relation.OTHER)


class BookingError(Exception):
    """A booking, rescheduling or cancellation that was refused; nothing was saved. `field` names the form field
    the message belongs next to, or None for the whole request."""

    def __init__(self, message, *, code, field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class TimeNotFree(BookingError):
    """That time is no longer free. `clashes` are the conversations of the two people that overlap it; it is empty
    when the database's one-conversation-per-start constraints refused the write instead."""

    def __init__(self, message, *, code="taken", clashes=()):
        super().__init__(message, code=code)
        self.clashes = list(clashes)


# --- Who can be booked ----------------------------------------------------------------------------------------


def _with_hr_flag(people):
    hr_members = Group.objects.filter(name=HR_GROUP, user=OuterRef("user_id"))
    return people.annotate(in_hr=Exists(hr_members))


def partner_directory(*, employee, query=""):
    """People who offer career conversations, for the employee to choose from (their manager is offered apart).

    Each word of the query must match the person's name, job title or department.
    """
    people = (
        Person.objects.offering_conversations()
        .exclude(pk=employee.pk)
        .select_related("user", "department")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    if employee.manager_id:
        people = people.exclude(pk=employee.manager_id)
    for word in query.split():
        people = people.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
            | Q(job_title__icontains=word) | Q(department__name__icontains=word)
        )
    return _with_hr_flag(people)


def relation_between(*, employee, partner, in_hr=None):
    """The relation that follows from the organisation chart, or None when the employee says what it is."""
    if partner.pk == employee.manager_id:
        return Relation.MANAGER
    manager = employee.manager
    if manager is not None and partner.pk == manager.manager_id:
        return Relation.SKIP_LEVEL
    if in_hr is None:
        in_hr = partner.user.groups.filter(name=HR_GROUP).exists()
    if in_hr:
        return Relation.HR
    return None


def suggested_relation(*, employee, partner, in_hr=None):
    """The relation to show or preselect: the derived one, else peer for someone with the same manager."""
    derived = relation_between(employee=employee, partner=partner, in_hr=in_hr)
    if derived:
        return derived
    if employee.manager_id and partner.manager_id == employee.manager_id:
        return Relation.PEER
    return Relation.MENTOR


# --- Checking a time ------------------------------------------------------------------------------------------


def _check_slot(*, employee, partner, starts_at, now, by, exclude_pk=None):
    """The slot starting at `starts_at`, or a BookingError saying why it cannot be booked, worded for `by`.

    Must run with both people locked (see _lock_people) for the answer to hold until the write. Whom the other
    person meets instead is never told: only one's own conversations are named.
    """
    name = partner.name
    if not partner.is_active:
        raise BookingError(f"{name} has left the organisation and cannot be booked.", code="partner_left")
    if not employee.is_active:
        raise BookingError(f"{employee.name} has left the organisation.", code="employee_left")
    if starts_at <= now:
        raise BookingError("That time is in the past. Please choose a time that is still to come.", code="past")
    settings = availability.settings_for(partner)
    if starts_at < now + datetime.timedelta(hours=settings.min_notice_hours):
        raise BookingError(f"{name} needs at least {settings.min_notice_hours} hours' notice. "
                           "Please choose a later time.", code="notice")
    first_day, last_day = availability.booking_horizon(person=partner, settings=settings, now=now)
    local_day = starts_at.astimezone(partner.tz).date()
    if local_day > last_day:
        raise BookingError(f"{name} can be booked up to {settings.weeks_ahead} weeks ahead.", code="too_far")
    if partner.days_off.filter(date=local_day).exists():
        raise BookingError(f"{name} is not available on {local_day:%A} {local_day.day} {local_day:%B} (a day off).",
                           code="day_off")
    offered = availability.window_slots(person=partner, settings=settings, first_day=local_day, last_day=local_day)
    slot = next((s for s in offered if s.starts_at == starts_at), None)
    if slot is None:
        raise BookingError(f"That time is outside {name}'s availability.", code="outside_windows")
    _check_free(employee=employee, partner=partner, starts_at=slot.starts_at, ends_at=slot.ends_at, by=by,
                exclude_pk=exclude_pk)
    if connections.busy_between(person=partner, starts_at=slot.starts_at, ends_at=slot.ends_at):
        raise TimeNotFree(f"{name}'s calendar shows them busy at that time. Please choose another time.",
                          code="calendar_busy")
    return slot


def _check_free(*, employee, partner, starts_at, ends_at, by, exclude_pk=None):
    """Raise TimeNotFree, worded for `by`, if either person has a conversation overlapping [starts_at, ends_at)."""
    clashes = availability.conflicts(people=[employee, partner], starts_at=starts_at, ends_at=ends_at,
                                     exclude_pk=exclude_pk)
    if not clashes:
        return
    other = clashes[0]
    busy = partner if partner.pk in (other.employee_id, other.partner_id) else employee
    if busy.pk == by.pk:
        with_whom = other.other_participant(by).name
        message, code = f"You already have a conversation with {with_whom} at that time.", "busy"
    elif busy.pk == partner.pk:
        message, code = TAKEN, "taken"
    else:
        message, code = f"{employee.name} is not free at that time.", "busy"
    raise TimeNotFree(message, code=code, clashes=clashes)


def check_time(*, employee, partner, starts_at, now, by, exclude_pk=None):
    """The slot at `starts_at` if it can be booked now, else a BookingError saying why. A read for showing the
    choice before it is confirmed; the write checks again under its lock."""
    return _check_slot(employee=employee, partner=partner, starts_at=starts_at, now=now, by=by,
                       exclude_pk=exclude_pk)


def _lock_people(employee, partner):
    """Lock both people's rows, lowest key first, and return them fresh: the serialisation point of every write."""
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[employee.pk, partner.pk])
              .order_by("pk").select_related("user")}
    return locked[employee.pk], locked[partner.pk]


def lock_free_time(*, employee, partner, starts_at, by, ends_at=None, now=None, exclude_pk=None):
    """Lock both people's rows and check that the time is free in both calendars; return the fresh rows and the
    slot. Must run inside the transaction that writes, so that the answer holds until it commits.

    Without `ends_at`, the time must be one of the partner's offered slots and is checked as a booking is (the
    people still here, notice, horizon, days off, windows; `now` is then needed); with it, any interval will do.
    Raises TimeNotFree when the time overlaps a conversation of either person, BookingError for the other reasons.
    """
    employee, partner = _lock_people(employee, partner)
    if ends_at is None:
        slot = _check_slot(employee=employee, partner=partner, starts_at=starts_at, now=now, by=by,
                           exclude_pk=exclude_pk)
    else:
        slot = availability.Slot(starts_at=starts_at, ends_at=ends_at)
        _check_free(employee=employee, partner=partner, starts_at=starts_at, ends_at=ends_at, by=by,
                    exclude_pk=exclude_pk)
    return employee, partner, slot


def _publish_invitation(conversation_id, sequence, recipient_id=None):
    """Queue an invitation; False when the broker cannot be reached (the error is logged)."""
    try:
        tasks.send_conversation_invitation.delay(conversation_id, sequence, recipient_id)
    except Exception:
        # kombu and redis raise a variety of errors when the broker is unreachable. What was booked is committed
        # and stays so, with its invitation pending: the invitation sweep sends it once the broker is back.
        logger.exception("invitation for conversation %s (sequence %s) not queued", conversation_id, sequence)
        return False
    return True


def send_invitation_after_commit(conversation):
    """Invite both people once the change is committed: a rolled-back change sends nothing. The duty to send is
    recorded with the change (invitation_outbox.py), so that a broker that is down delays it but loses nothing."""
    conversation_id, sequence = conversation.pk, conversation.sequence
    invitation_outbox.mark_pending(conversation)
    transaction.on_commit(lambda: _publish_change(conversation_id, sequence))


def _publish_change(conversation_id, sequence):
    """Queue the invitation, and bringing the partner's own CalDAV calendar up to date; the periodic calendar task
    catches up on a write-back that could not be queued."""
    _publish_invitation(conversation_id, sequence)
    try:
        tasks.write_back_conversation.delay(conversation_id)
    except Exception:
        logger.exception("calendar write-back of conversation %s not queued", conversation_id)


def _tell_the_other(conversation, *, by, what, body=""):
    """Put the change under the bell of the participant who did not make it; the invitation is their e-mail."""
    other = conversation.other_participant(by)
    if other is None or other.pk == by.pk:
        return
    when = dateformat.format(conversation.starts_at.astimezone(other.tz), "D j M Y, H:i T")
    notify(Notice(recipient=other, title=f"{by.name} {what} on {when}", body=body,
                  url=conversation.get_absolute_url()))


def request_invitation(*, conversation, recipient):
    """E-mail one participant the conversation's current invitation again. False if it could not be queued."""
    return _publish_invitation(conversation.pk, conversation.sequence, recipient.pk)


# --- Writes ---------------------------------------------------------------------------------------------------


def book_conversation(*, employee, partner, starts_at, now, relation=None, location="",
                      kind=Conversation.Kind.STANDALONE, booked_by=None):
    """Book a confirmed conversation in one of the partner's free slots and invite both people.

    The relation is the organisation chart's when it says one (manager, skip-level, HR); otherwise the one given,
    else the suggested one (peer for someone with the same manager, mentor otherwise). Raises BookingError,
    having saved nothing, when the time cannot be booked.
    """
    if not partner.is_active:
        raise BookingError(f"{partner.name} has left the organisation and cannot be booked.", code="partner_left")
    if not can_book_with(employee=employee, partner=partner):
        raise BookingError(f"{partner.name} does not offer career conversations.", code="not_offered")
    booked_by = booked_by or employee
    relation = relation_between(employee=employee, partner=partner) or (
        relation if relation in CHOSEN_RELATIONS else suggested_relation(employee=employee, partner=partner))
    with transaction.atomic():
        employee, partner, slot = lock_free_time(employee=employee, partner=partner, starts_at=starts_at, now=now,
                                                 by=booked_by)
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    employee=employee, partner=partner, relation=relation, starts_at=slot.starts_at,
                    ends_at=slot.ends_at, location=location.strip(), kind=kind,
                    status=Conversation.Status.CONFIRMED, booked_by=booked_by,
                )
        except IntegrityError as error:
            raise TimeNotFree(TAKEN) from error
        send_invitation_after_commit(conversation)
        _tell_the_other(conversation, by=booked_by, what="booked a career conversation with you")
    logger.info("conversation %s booked: %s with %s at %s", conversation.pk, employee.pk, partner.pk,
                slot.starts_at.isoformat())
    return conversation


def _locked_active_conversation(conversation):
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if not locked.is_active:
        raise BookingError(f"This conversation is already {locked.get_status_display().lower()}.",
                           code="not_active")
    return locked


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("Please say why, so that the other person knows.", code="no_reason", field="reason")
    return reason


def reschedule_conversation(*, conversation, by, starts_at, reason, now):
    """Move a conversation to another free slot of its partner; either participant may. Both are sent the
    updated invitation (same UID, SEQUENCE raised)."""
    reason = _require_reason(reason)
    with transaction.atomic():
        employee, partner = _lock_people(conversation.employee, conversation.partner)
        conversation = _locked_active_conversation(conversation)
        if starts_at == conversation.starts_at:
            raise BookingError("That is already the time of this conversation.", code="same_time")
        slot = _check_slot(employee=employee, partner=partner, starts_at=starts_at, now=now, by=by,
                           exclude_pk=conversation.pk)
        conversation.starts_at, conversation.ends_at = slot.starts_at, slot.ends_at
        conversation.sequence += 1
        conversation.change_reason = reason
        try:
            with transaction.atomic():
                conversation.save(update_fields=["starts_at", "ends_at", "sequence", "change_reason", "updated_at"])
        except IntegrityError as error:
            raise TimeNotFree(TAKEN) from error
        send_invitation_after_commit(conversation)
        _tell_the_other(conversation, by=by, what="moved your career conversation", body=reason)
    logger.info("conversation %s rescheduled by %s to %s", conversation.pk, by.pk, slot.starts_at.isoformat())
    return conversation


def cancel_conversation(*, conversation, by, reason, now):
    """Call a conversation off; either participant may. Both are sent a cancellation (same UID, SEQUENCE
    raised) so that it leaves their calendars."""
    reason = _require_reason(reason)
    with transaction.atomic():
        conversation = _locked_active_conversation(conversation)
        conversation.status = Conversation.Status.CANCELLED
        conversation.cancelled_by = by
        conversation.cancelled_at = now
        conversation.change_reason = reason
        conversation.sequence += 1
        conversation.save(update_fields=["status", "cancelled_by", "cancelled_at", "change_reason", "sequence",
                                         "updated_at"])
        send_invitation_after_commit(conversation)
        _tell_the_other(conversation, by=by, what="cancelled your career conversation", body=reason)
    logger.info("conversation %s cancelled by %s", conversation.pk, by.pk)
    return conversation


LEFT_REASON = "Called off because a participant has left the organisation."


def cancel_for_leavers(*, person_ids, now):
    """Call off the coming conversations of people who have left, so that the people they were to meet are told
    and the slots free up; their past conversations stay as history. Returns how many were called off."""
    person_ids = list(person_ids)
    if not person_ids:
        return 0
    with transaction.atomic():
        coming = list(
            Conversation.objects.select_for_update().active()
            .filter(Q(employee_id__in=person_ids) | Q(partner_id__in=person_ids), starts_at__gt=now)
        )
        for conversation in coming:
            conversation.status = Conversation.Status.CANCELLED
            conversation.cancelled_at = now
            conversation.change_reason = LEFT_REASON
            conversation.sequence += 1
            send_invitation_after_commit(conversation)
        Conversation.objects.bulk_update(coming, ["status", "cancelled_at", "change_reason", "sequence"])
    logger.info("%s coming conversations of %s leavers called off", len(coming), len(person_ids))
    return len(coming)


def cancel_for_leavers_on_signal(sender, *, person_ids, now, **kwargs):
    cancel_for_leavers(person_ids=person_ids, now=now)
