"""What is due at `now`, decided from the database alone.

Each kind of reminder is one set-based query over the whole organisation that yields rows of
(kind, recipient, subject, period, not_before):

- *due soon*: the employee's next conversation is due within 7 days and none is booked → the employee, and a copy
  to their manager (`due_soon_manager`);
- *overdue*: past due and none booked → the employee; from 14 days past due also the manager;
  from 30 days past due the manager's weekly digest lists them, even when the digest is turned off;
- *upcoming*: a confirmed conversation starting within 24 hours → each participant;
- *notes*: 24 hours after a confirmed conversation ended and it is still not marked held or a no-show
  → the partner (for two weeks; after that the reminder is no longer useful);
- *action due / overdue*: an open action due within 2 days, or past its due date → its owner; actions the
  organisation owns → every HR person, one reminder per due date listing that date's actions;
- *digest*: each manager, from Monday 09:00 in their timezone, once a week.

`subject` names what the reminder is about and `period` which occurrence (the due date, the start time, the ISO
week), so that the unique constraint on Reminder holds each one to a single row. Dates that depend on a person's
day are taken in that person's timezone; the due date follows `conversations.regularity.due_on`.

The same queries restricted to a few recipients tell the sender whether a recorded reminder is still relevant
when it finally goes out (a conversation booked meanwhile, a preference turned off).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, DateField, DateTimeField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from people.models import Person
from people.roles import HR_GROUP

from ..models import ActionItem, Conversation, Reminder
from ..regularity import DUE_SOON_DAYS
from .clock import clocks_for
from .expressions import AddDays, UTCMinute, local_date, per_zone

MANAGER_OVERDUE_DAYS = 14
DIGEST_OVERDUE_DAYS = 30
ACTION_DUE_DAYS = 2
UPCOMING_WITHIN = datetime.timedelta(hours=24)
NOTES_AFTER = datetime.timedelta(hours=24)
NOTES_UNTIL = datetime.timedelta(days=14)

COLUMNS = ("r_kind", "r_recipient", "r_subject", "r_period", "r_not_before")

Kind = Reminder.Kind


@dataclass(frozen=True)
class Context:
    """`now` and a clock for every timezone in use: everything a selection needs besides the database."""

    now: datetime.datetime
    clocks: dict

    @classmethod
    def at(cls, now):
        names = Person.objects.filter(is_active=True).order_by().values_list("timezone", flat=True).distinct()
        return cls(now=now, clocks=clocks_for(list(names), now=now))

    @property
    def zones(self):
        return list(self.clocks)

    def date_in(self, field, days=0):
        """The local date, `days` from today, in the timezone held in `field`."""
        return per_zone(self.clocks, lambda clock: clock.today + datetime.timedelta(days=days), field=field,
                        output_field=DateField())

    def next_window(self, field):
        return per_zone(self.clocks, lambda clock: clock.next_window, field=field, output_field=DateTimeField())


def reachable(ctx, prefix=""):
    """A person who may receive reminders: still in the organisation, able to sign in, in a known timezone."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}user__is_active": True, f"{prefix}timezone__in": ctx.zones})


def due_on(ctx):
    """The date the next conversation is due, computed by the database: a cadence after the last one held (its
    local date), or after the start date, or after the person was added. See regularity.due_on."""
    last_held = Subquery(
        Conversation.objects.filter(employee=OuterRef("pk"), status=Conversation.Status.COMPLETED)
        .order_by("-starts_at").values("starts_at")[:1]
    )
    anchor = Coalesce(local_date(last_held, ctx.clocks, field="timezone"), F("start_date"),
                      local_date(F("created_at"), ctx.clocks, field="timezone"), output_field=DateField())
    return AddDays(anchor, F("cadence_days"))


def people_with_due(ctx):
    """Reachable people with nothing booked, annotated with their due date (`due`)."""
    booked = Exists(Conversation.objects.filter(employee=OuterRef("pk"), status__in=Conversation.ACTIVE_STATUSES,
                                                starts_at__gte=ctx.now))
    return (Person.objects.filter(reachable(ctx)).annotate(due=due_on(ctx), booked=booked)
            .filter(booked=False).order_by())


def _columns(ctx, *, kind, recipient, subject, subject_pk, period, recipient_zone):
    return {
        "r_kind": Value(kind, output_field=CharField()),
        "r_recipient": F(recipient),
        "r_subject": Concat(Value(f"{subject}:"), Cast(subject_pk, CharField()), output_field=CharField()),
        "r_period": period if not isinstance(period, str) else Cast(period, CharField()),
        "r_not_before": ctx.next_window(recipient_zone),
    }


def _compile(queryset):
    """The SQL of a queryset, or None when it can match nothing (e.g. no timezone is at its digest hour)."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


@dataclass(frozen=True)
class Selection:
    """One kind of reminder: a queryset for everyone, narrowed to some recipients through `recipient`."""

    kind: str
    queryset: object  # callable(ctx) -> values() queryset with COLUMNS
    recipient: str

    def sql(self, ctx, recipients=None):
        queryset = self.queryset(ctx)
        if recipients is not None:
            queryset = queryset.filter(**{f"{self.recipient}__in": recipients})
        return _compile(queryset)


def _due_soon(ctx):
    return (people_with_due(ctx)
            .filter(remind_due_soon=True, due__gte=ctx.date_in("timezone"),
                    due__lte=ctx.date_in("timezone", DUE_SOON_DAYS))
            .values(**_columns(ctx, kind=Kind.DUE_SOON, recipient="pk", subject="person", subject_pk="pk",
                               period="due", recipient_zone="timezone")))


def _due_soon_manager(ctx):
    return (people_with_due(ctx)
            .filter(reachable(ctx, "manager__"), manager__remind_due_soon=True, due__gte=ctx.date_in("timezone"),
                    due__lte=ctx.date_in("timezone", DUE_SOON_DAYS))
            .values(**_columns(ctx, kind=Kind.DUE_SOON_MANAGER, recipient="manager_id", subject="person",
                               subject_pk="pk", period="due", recipient_zone="manager__timezone")))


def _overdue(ctx):
    return (people_with_due(ctx)
            .filter(remind_overdue=True, due__lt=ctx.date_in("timezone"))
            .values(**_columns(ctx, kind=Kind.OVERDUE, recipient="pk", subject="person", subject_pk="pk",
                               period="due", recipient_zone="timezone")))


def _overdue_manager(ctx):
    return (people_with_due(ctx)
            .filter(reachable(ctx, "manager__"), manager__remind_overdue=True,
                    due__lte=ctx.date_in("timezone", -MANAGER_OVERDUE_DAYS))
            .values(**_columns(ctx, kind=Kind.OVERDUE_MANAGER, recipient="manager_id", subject="person",
                               subject_pk="pk", period="due", recipient_zone="manager__timezone")))


def _upcoming_for(role):
    def queryset(ctx):
        return (Conversation.objects
                .filter(reachable(ctx, f"{role}__"), **{f"{role}__remind_upcoming": True},
                        status=Conversation.Status.CONFIRMED, starts_at__gt=ctx.now,
                        starts_at__lte=ctx.now + UPCOMING_WITHIN)
                .order_by()
                .values(**_columns(ctx, kind=Kind.UPCOMING, recipient=f"{role}_id", subject="conversation",
                                   subject_pk="pk", period=UTCMinute("starts_at"), recipient_zone=f"{role}__timezone")))
    return queryset


def _notes(ctx):
    return (Conversation.objects
            .filter(reachable(ctx, "partner__"), partner__remind_notes=True, status=Conversation.Status.CONFIRMED,
                    ends_at__lte=ctx.now - NOTES_AFTER, ends_at__gt=ctx.now - NOTES_UNTIL)
            .order_by()
            .values(**_columns(ctx, kind=Kind.NOTES, recipient="partner_id", subject="conversation",
                               subject_pk="pk", period=UTCMinute("ends_at"), recipient_zone="partner__timezone")))


def _open_actions_of_people(ctx):
    return ActionItem.objects.filter(reachable(ctx, "owner__"), owner__remind_actions=True, done_at__isnull=True,
                                     due_on__isnull=False).order_by()


def _action_due(ctx):
    return (_open_actions_of_people(ctx)
            .filter(due_on__gte=ctx.date_in("owner__timezone"),
                    due_on__lte=ctx.date_in("owner__timezone", ACTION_DUE_DAYS))
            .values(**_columns(ctx, kind=Kind.ACTION_DUE, recipient="owner_id", subject="action", subject_pk="pk",
                               period="due_on", recipient_zone="owner__timezone")))


def _action_overdue(ctx):
    return (_open_actions_of_people(ctx)
            .filter(due_on__lt=ctx.date_in("owner__timezone"))
            .values(**_columns(ctx, kind=Kind.ACTION_OVERDUE, recipient="owner_id", subject="action",
                               subject_pk="pk", period="due_on", recipient_zone="owner__timezone")))


def _digest(ctx):
    """Managers whose Monday 09:00 has come this week. The overdue list cannot be turned off: a manager who
    turned the digest off still gets it while a report is 30 days or more overdue."""
    digest_zones = [name for name, clock in ctx.clocks.items() if clock.digest_open]
    has_reports = Exists(Person.objects.filter(manager=OuterRef("pk"), is_active=True))
    long_overdue = Exists(people_with_due(ctx).filter(manager=OuterRef("pk"),
                                                      due__lte=ctx.date_in("timezone", -DIGEST_OVERDUE_DAYS)))
    week = per_zone(ctx.clocks, lambda clock: clock.week, field="timezone", output_field=CharField())
    return (Person.objects.filter(reachable(ctx), has_reports, timezone__in=digest_zones)
            .filter(Q(weekly_digest=True) | long_overdue)
            .order_by()
            .values(**_columns(ctx, kind=Kind.DIGEST, recipient="pk", subject="team", subject_pk="pk",
                               period=week, recipient_zone="timezone")))


ORGANISATION_ACTIONS = "organisation"


@dataclass(frozen=True)
class OrganisationActions:
    """Actions the organisation owns go to every HR person, one reminder per due date listing that date's actions
    (one per action would flood each HR person with every action in the organisation). A cross join of due dates
    and HR people, which the ORM cannot express: the two compiled querysets are joined here."""

    kind: str
    overdue: bool

    def sql(self, ctx, recipients=None):
        due_dates = (ActionItem.objects.filter(owner_kind=ActionItem.Owner.ORGANISATION, done_at__isnull=True,
                                               due_on__isnull=False)
                     .order_by().values(a_due=F("due_on"), r_period=Cast("due_on", CharField())).distinct())
        hr_people = Person.objects.filter(reachable(ctx), remind_actions=True, user__groups__name=HR_GROUP)
        if recipients is not None:
            hr_people = hr_people.filter(pk__in=recipients)
        hr_people = hr_people.order_by().values(r_recipient=F("pk"), h_today=ctx.date_in("timezone"),
                                                h_soon=ctx.date_in("timezone", ACTION_DUE_DAYS),
                                                r_not_before=ctx.next_window("timezone"))
        compiled_dates, compiled_hr = _compile(due_dates), _compile(hr_people)
        if compiled_dates is None or compiled_hr is None:
            return None
        (dates_sql, dates_params), (hr_sql, hr_params) = compiled_dates, compiled_hr
        condition = "a.a_due < h.h_today" if self.overdue else "a.a_due >= h.h_today AND a.a_due <= h.h_soon"
        sql = (f"SELECT %s AS r_kind, h.r_recipient, %s AS r_subject, a.r_period, h.r_not_before "
               f"FROM ({dates_sql}) a CROSS JOIN ({hr_sql}) h WHERE {condition}")
        return sql, (self.kind, ORGANISATION_ACTIONS, *dates_params, *hr_params)


SELECTIONS = (
    Selection(Kind.DUE_SOON, _due_soon, "pk"),
    Selection(Kind.DUE_SOON_MANAGER, _due_soon_manager, "manager_id"),
    Selection(Kind.OVERDUE, _overdue, "pk"),
    Selection(Kind.OVERDUE_MANAGER, _overdue_manager, "manager_id"),
    Selection(Kind.UPCOMING, _upcoming_for("employee"), "employee_id"),
    Selection(Kind.UPCOMING, _upcoming_for("partner"), "partner_id"),
    Selection(Kind.NOTES, _notes, "partner_id"),
    Selection(Kind.ACTION_DUE, _action_due, "owner_id"),
    Selection(Kind.ACTION_OVERDUE, _action_overdue, "owner_id"),
    OrganisationActions(Kind.ACTION_DUE, overdue=False),
    OrganisationActions(Kind.ACTION_OVERDUE, overdue=True),
    Selection(Kind.DIGEST, _digest, "pk"),
)


def union_sql(ctx, recipients=None):
    """All selections as one statement (UNION ALL), with the columns of COLUMNS; None when none can match."""
    parts, params = [], []
    for selection in SELECTIONS:
        compiled = selection.sql(ctx, recipients)
        if compiled is None:
            continue
        sql, selection_params = compiled
        parts.append(f"SELECT {', '.join(f'due.{column}' for column in COLUMNS)} FROM ({sql}) due")
        params.extend(selection_params)
    return (" UNION ALL ".join(parts), params) if parts else None


def due_now(ctx, recipients=None):
    """The keys (kind, recipient, subject, period) of every reminder due at ctx.now, for the given recipients."""
    compiled = union_sql(ctx, recipients)
    if compiled is None:
        return set()
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r_kind, r_recipient, r_subject, r_period FROM ({sql}) due", params)
        return {tuple(row) for row in cursor.fetchall()}
