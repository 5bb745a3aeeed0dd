"""The audit log: who viewed or changed which conversation's preparation or notes, and when.

A conversation's records belong to its employee: they see every access by someone else ("Who has seen my
records"). HR sees only how many accesses there were, by kind of record and by role, never who or whose.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from conversations.models import AuditEvent, Notes, Preparation
from people import roles

# An autosaving form or a reloaded page would otherwise write a row every few seconds: the same person doing the
# same thing to the same record within this window is one event, dated from its first moment.
COALESCE = datetime.timedelta(minutes=10)

Record = AuditEvent.Record
Action = AuditEvent.Action
Role = AuditEvent.Role


def record_of(subject):
    """The kind of record a Preparation, a Notes or an AuditEvent.Record value stands for."""
    if isinstance(subject, Preparation):
        return Record.PREPARATION
    if isinstance(subject, Notes):
        return Record.PRIVATE_NOTES if subject.visibility == Notes.Visibility.PRIVATE else Record.SHARED_NOTES
    return Record(subject)


def role_of(user, conversation):
    """The actor's relation to the conversation, as HR's counts break it down."""
    person = roles.person_of(user)
    if person is not None and conversation is not None:
        if person.pk == conversation.employee_id:
            return Role.EMPLOYEE
        if person.pk == conversation.partner_id:
            return Role.PARTNER
        if person.pk == conversation.employee.manager_id:
            # Reads only what the employee handed over to them.
            return Role.MANAGER
    if user.is_superuser or user.is_staff:
        return Role.ADMINISTRATOR
    if roles.is_hr(user):
        return Role.HR
    return Role.OTHER


def _user_of(actor):
    """Accept a user or a person as the actor."""
    return getattr(actor, "user", actor)


def record_access(*, actor, conversation, subject, action, now):
    """Record that `actor` (a user or a person) did `action` to `subject` (a Preparation, a Notes, or a Record
    value) of `conversation` at `now`. Returns the event, or the earlier one it was folded into."""
    user = _user_of(actor)
    record = record_of(subject)
    action = Action(action)
    earlier = AuditEvent.objects.filter(
        actor=user, conversation=conversation, record=record, action=action, at__gte=now - COALESCE, at__lte=now,
    ).first()
    if earlier is not None:
        return earlier
    return AuditEvent.objects.create(
        at=now, actor=user, actor_role=role_of(user, conversation), subject_id=conversation.employee_id,
        conversation=conversation, record=record, action=action,
    )


def record_views(*, actor, conversation, subjects, now):
    """Record that a page showed `actor` these preparations and notes of `conversation`; an empty preparation or
    notes not saved yet show nothing, and are left out."""
    for subject in subjects:
        if subject is None or subject.pk is None or (isinstance(subject, Preparation) and subject.is_empty):
            continue
        record_access(actor=actor, conversation=conversation, subject=subject, action=Action.VIEWED, now=now)


def record_personal_data(*, actor, person, action, now):
    """Record that a person's data was exported or erased, and by whom."""
    user = _user_of(actor)
    is_self = user.pk == person.user_id
    return AuditEvent.objects.create(
        at=now, actor=user, actor_role=Role.EMPLOYEE if is_self else role_of(user, None), subject=person,
        conversation=None, record=Record.PERSONAL_DATA, action=Action(action),
    )


def accesses_to_records_of(person):
    """What the person sees on "Who has seen my records": everyone else's access to their conversations'
    preparation and shared notes, and to their personal data, newest first.

    Private notes are left out: they are seen by their author only, and listing them would tell the employee
    what the author keeps to themselves.
    """
    return (
        AuditEvent.objects.filter(subject=person)
        .exclude(record=Record.PRIVATE_NOTES)
        .exclude(actor_id=person.user_id)
        .select_related("actor__person", "conversation__employee__user", "conversation__partner__user")
    )


@dataclass(frozen=True)
class CountRow:
    record: str
    action: str
    actor_role: str
    last_30_days: int
    last_12_months: int
    all_time: int

    @property
    def record_label(self):
        return Record(self.record).label

    @property
    def action_label(self):
        return Action(self.action).label

    @property
    def role_label(self):
        return Role(self.actor_role).label


def access_counts(*, now):
    """HR's view of the log: counts by kind of record, action and role, over three periods, in one query.
    No row names a person."""
    rows = (
        AuditEvent.objects.order_by()
        .values("record", "action", "actor_role")
        .annotate(
            last_30_days=Count("pk", filter=Q(at__gt=now - datetime.timedelta(days=30), at__lte=now)),
            last_12_months=Count("pk", filter=Q(at__gt=now - datetime.timedelta(days=365), at__lte=now)),
            all_time=Count("pk"),
        )
        .order_by("record", "action", "actor_role")
    )
    return [CountRow(**row) for row in rows]
