"""What is due at `now`, decided from the database alone.

Each kind of reminder is one set-based query over the whole organisation that yields rows of
(kind, recipient, subject, period, not_before):

- *due soon*: the employee's next conversation is due within 7 days and none is booked (a proposal awaiting
  the employee's answer is not booked) → the employee, and a copy
  to their manager (`due_soon_manager`);
- *overdue*: past due and none booked → the employee; from 14 days past due also the manager;
  from 30 days past due the manager's weekly digest lists them, even when the digest is turned off;
- *upcoming*: a confirmed conversation starting within 24 hours → each participant;
- *notes*: 24 hours after a confirmed conversation ended and it is still not marked held or a no-show
  → the partner (for two weeks; after that the reminder is no longer useful);
- *action due / overdue*: an open action due within 2 days, or past its due date → its owner; actions the
  organisation owns → every HR person, one reminder per due date listing that date's actions;
- *digest*: each manager, from Monday 09:00 in their timezone, once a week;
- *feedback due / overdue*: a colleague asked for feedback who has not answered, once in the three days before the
  date the asker would like answers by (unless asked within the last day: the request e-mail has just said it),
  and once when that date has passed, while the request is still open → the colleague;
- *feedback ready*: a request that everyone asked has answered or declined, or whose date has passed, while it is
  still open → the asker, once.

`subject` names what the reminder is about and `period` which occurrence (the due date, the start time, the ISO
week), so that the unique constraint on Reminder holds each one to a single row. Dates that depend on a person's
day are taken in that person's timezone; the due date follows `conversations.regularity.due_on`.

The same queries restricted to a few recipients tell the sender whether a recorded reminder is still relevant
when it finally goes out (a conversation booked meanwhile, a preference turned off).
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from conversations.date_expressions import AddDays
from conversations.models import ActionItem, Conversation, FeedbackAnswer, FeedbackRequest, Reminder
from conversations.regularity import DUE_SOON_DAYS
from conversations.reminders.clock import clocks_for
from conversations.reminders.expressions import UTCMinute, local_date, per_zone
from people.models import Person
from people.roles import HR_GROUP

MANAGER_OVERDUE_DAYS = 14
DIGEST_OVERDUE_DAYS = 30
ACTION_DUE_DAYS = 2
UPCOMING_WITHIN = datetime.timedelta(hours=24)
NOTES_AFTER = datetime.timedelta(hours=24)
NOTES_UNTIL = datetime.timedelta(days=14)
FEEDBACK_DUE_DAYS = 3
FEEDBACK_JUST_ASKED = datetime.timedelta(days=1)

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
    # As in regularity.with_conversation_dates: a conversation under way counts as booked until it ends, and a
    # proposed time is not booked until the employee accepts it, so they are still reminded while it waits.
    booked = Exists(Conversation.objects.filter(employee=OuterRef("pk"), status=Conversation.Status.CONFIRMED,
                                                ends_at__gt=ctx.now))
    return (Person.objects.filter(reachable(ctx)).annotate(due=due_on(ctx), booked=booked)
            .filter(booked=False).order_by())


def _columns(ctx, *, kind, recipient, subject, subject_pk, period, recipient_zone):
    return {
        "r_kind": kind if not isinstance(kind, str) else Value(kind, output_field=CharField()),
        "r_recipient": F(recipient),
        "r_subject": Concat(Value(f"{subject}:"), Cast(subject_pk, CharField()), output_field=CharField()),
        "r_period": period if not isinstance(period, str) else Cast(period, CharField()),
        "r_not_before": ctx.next_window(recipient_zone),
    }


def _kind_by(condition, *, then, otherwise):
    """One pass decides two kinds: `then` where the condition holds, else `otherwise`."""
    return Case(When(condition, then=Value(then)), default=Value(otherwise), output_field=CharField())


def _compile(queryset):
    """The SQL of a queryset, or None when it can match nothing (e.g. no timezone is at its digest hour)."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


@dataclass(frozen=True)
class Selection:
    """Reminders decided by one query for everyone, narrowed to some recipients through `recipient`."""

    name: str
    queryset: object  # callable(ctx) -> values() queryset with COLUMNS
    recipient: str

    def sql(self, ctx, recipients=None):
        queryset = self.queryset(ctx)
        if recipients is not None:
            queryset = queryset.filter(**{f"{self.recipient}__in": recipients})
        return _compile(queryset)


@dataclass(frozen=True)
class PeopleDue:
    """Due soon (within 7 days) and overdue, to the employee, and the copies to their manager (due soon, and from
    14 days overdue). The due date is the costliest thing the sweep computes, so the people whose due date is at
    most a week away are selected once into a CTE, with their due date, and the four kinds are read from it."""

    name = "due soon and overdue"

    def sql(self, ctx, recipients=None):
        people = people_with_due(ctx).filter(due__lte=ctx.date_in("timezone", DUE_SOON_DAYS))
        if recipients is not None:
            people = people.filter(Q(pk__in=recipients) | Q(manager_id__in=recipients))
        manager_reachable = reachable(ctx, "manager__")
        compiled = _compile(people.values(
            p_id=F("pk"), p_manager=F("manager_id"), p_due=F("due"),
            p_subject=Concat(Value("person:"), Cast("pk", CharField()), output_field=CharField()),
            p_today=ctx.date_in("timezone"), p_late=ctx.date_in("timezone", -MANAGER_OVERDUE_DAYS),
            p_due_soon=F("remind_due_soon"), p_overdue=F("remind_overdue"), p_not_before=ctx.next_window("timezone"),
            m_due_soon=ExpressionWrapper(manager_reachable & Q(manager__remind_due_soon=True),
                                         output_field=BooleanField()),
            m_overdue=ExpressionWrapper(manager_reachable & Q(manager__remind_overdue=True),
                                        output_field=BooleanField()),
            m_not_before=ctx.next_window("manager__timezone"),
        ))
        if compiled is None:
            return None
        people_sql, params = compiled
        period = "CAST(p.p_due AS VARCHAR(10))"
        sql = (f"WITH p AS MATERIALIZED ({people_sql}) "
               f"SELECT CASE WHEN p.p_due < p.p_today THEN %s ELSE %s END AS r_kind, p.p_id AS r_recipient, "
               f"p.p_subject AS r_subject, {period} AS r_period, p.p_not_before AS r_not_before FROM p "
               f"WHERE (p.p_due < p.p_today AND p.p_overdue) OR (p.p_due >= p.p_today AND p.p_due_soon) "
               f"UNION ALL "
               f"SELECT CASE WHEN p.p_due < p.p_today THEN %s ELSE %s END, p.p_manager, p.p_subject, {period}, "
               f"p.m_not_before FROM p "
               f"WHERE (p.p_due <= p.p_late AND p.m_overdue) OR (p.p_due >= p.p_today AND p.m_due_soon)")
        return sql, (*params, Kind.OVERDUE, Kind.DUE_SOON, Kind.OVERDUE_MANAGER, Kind.DUE_SOON_MANAGER)


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


def _actions(ctx):
    """An open action due within 2 days, or past its due date, to its owner."""
    today = ctx.date_in("owner__timezone")
    kind = _kind_by(Q(due_on__lt=today), then=Kind.ACTION_OVERDUE, otherwise=Kind.ACTION_DUE)
    return (ActionItem.objects.filter(reachable(ctx, "owner__"), owner__remind_actions=True, done_at__isnull=True,
                                      due_on__lte=ctx.date_in("owner__timezone", ACTION_DUE_DAYS))
            .order_by()
            .values(**_columns(ctx, kind=kind, recipient="owner_id", subject="action", subject_pk="pk",
                               period="due_on", recipient_zone="owner__timezone")))


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


def _feedback_asked(ctx):
    """Feedback not yet given, to the colleague asked: in the three days before the date, and once it has passed,
    until the request closes or expires. The period is the date, so each is recorded once per request."""
    today = ctx.date_in("colleague__timezone")
    kind = _kind_by(Q(request__answer_by__lt=today), then=Kind.FEEDBACK_OVERDUE, otherwise=Kind.FEEDBACK_DUE)
    soon = Q(request__answer_by__lte=ctx.date_in("colleague__timezone", FEEDBACK_DUE_DAYS),
             request__answer_by__gt=today, asked_at__lte=ctx.now - FEEDBACK_JUST_ASKED)
    return (FeedbackAnswer.objects.filter(reachable(ctx, "colleague__"), status=FeedbackAnswer.Status.ASKED,
                                          request__closed_at__isnull=True, request__expires_on__gte=today)
            .filter(soon | Q(request__answer_by__lt=today))
            .order_by()
            .values(**_columns(ctx, kind=kind, recipient="colleague_id", subject="feedback", subject_pk="pk",
                               period=Cast("request__answer_by", CharField()),
                               recipient_zone="colleague__timezone")))


def _feedback_ready(ctx):
    """A request that everyone asked has answered or declined, or whose date has passed, to its asker, once."""
    today = ctx.date_in("asker__timezone")
    asked = Exists(FeedbackAnswer.objects.filter(request=OuterRef("pk")))
    waiting = Exists(FeedbackAnswer.objects.filter(request=OuterRef("pk"), status=FeedbackAnswer.Status.ASKED))
    return (FeedbackRequest.objects.filter(reachable(ctx, "asker__"), asked, closed_at__isnull=True,
                                           expires_on__gte=today)
            .filter(Q(answer_by__lt=today) | ~waiting)
            .order_by()
            .values(**_columns(ctx, kind=Kind.FEEDBACK_READY, recipient="asker_id", subject="feedback_request",
                               subject_pk="pk", period=Cast("answer_by", CharField()),
                               recipient_zone="asker__timezone")))


ORGANISATION_ACTIONS = "organisation"


@dataclass(frozen=True)
class OrganisationActions:
    """Actions the organisation owns go to every HR person, one reminder per due date listing that date's actions
    (one per action would flood each HR person with every action in the organisation). A cross join of due dates
    and HR people, which the ORM cannot express: the two compiled querysets are joined here."""

    name = "organisation actions"

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
        sql = (f"SELECT CASE WHEN a.a_due < h.h_today THEN %s ELSE %s END AS r_kind, h.r_recipient, "
               f"%s AS r_subject, a.r_period, h.r_not_before "
               f"FROM ({dates_sql}) a CROSS JOIN ({hr_sql}) h WHERE a.a_due <= h.h_soon")
        return sql, (Kind.ACTION_OVERDUE, Kind.ACTION_DUE, ORGANISATION_ACTIONS, *dates_params, *hr_params)


SELECTIONS = (
    PeopleDue(),
    Selection("upcoming, to employees", _upcoming_for("employee"), "employee_id"),
    Selection("upcoming, to partners", _upcoming_for("partner"), "partner_id"),
    Selection("notes", _notes, "partner_id"),
    Selection("actions", _actions, "owner_id"),
    OrganisationActions(),
    Selection("digests", _digest, "pk"),
    Selection("feedback asked", _feedback_asked, "colleague_id"),
    Selection("feedback ready", _feedback_ready, "asker_id"),
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


@contextmanager
def without_jit():
    """PostgreSQL's JIT compiles each of these large statements for up to a second (bench/reminders.py shows
    it), longer than they take to run on their indexes: turn it off for them, and back on after."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


def due_now(ctx, recipients=None):
    """The keys (kind, recipient, subject, period) of every reminder due at ctx.now, for the given recipients."""
    compiled = union_sql(ctx, recipients)
    if compiled is None:
        return set()
    sql, params = compiled
    with without_jit(), connection.cursor() as cursor:
        cursor.execute(f"SELECT r_kind, r_recipient, r_subject, r_period FROM ({sql}) due", params)
        return {tuple(row) for row in cursor.fetchall()}
