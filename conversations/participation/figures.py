"""Participation: is this organisation having career conversations, and where is it not?

HR sees counts, never text, and never a row about one person: a department or manager with fewer than
MIN_GROUP_SIZE active employees is reported as "fewer than 5" and nothing else.

Every figure is computed by the database, in three statements whatever the size of the organisation:

1. people: each employee's conversations counted (a CTE), each person's standing worked out from them (a second
   CTE), then counted for everyone, per department and per manager (UNION ALL), with the monthly trend;
2. held conversations: the days since each employee's previous held conversation (a LAG window over all of their
   history), then per group the conversations held in the period, how many were standalone or prepared, and the
   median gap (aggregates.Median);
3. action items due in the period: how many were done by their due date, the organisation's own apart;
4. feedback asked of colleagues in the period, by the asker's group: how many, how many answered, and the median
   days to answer. Who asked at least two people other than their manager ("feedback breadth") is a per-person
   flag, counted with the people in (1).

Status figures (ongoing, on cadence, overdue) are a snapshot at the end of the period, judged as regularity.py
judges them: in each person's own calendar, due a cadence after the last held conversation, or after the start
date for someone who has had none. Flow figures (conversations held, standalone, prepared, breadth, median gap,
follow-through, feedback) count what happened during the period. Feedback figures are counts and dates only:
nothing here reads what anyone wrote.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, Lag, NullIf, Trim
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.db.models.sql.constants import LOUTER
from django_cte import CTE, with_cte

from conversations.date_expressions import AddDays, DaysBetween, LocalDate
from conversations.models import ActionItem, Conversation, FeedbackAnswer, Preparation, Relation
from conversations.participation.aggregates import Median
from people.models import Person

MIN_GROUP_SIZE = 5
ONGOING_MONTHS = 6
ONGOING_CONVERSATIONS = 2
TREND_MONTHS = 12
FEEDBACK_BREADTH_PEOPLE = 2
DEFAULT_PERIOD_MONTHS = 12

EVERYONE = "all"
DEPARTMENT = "department"
MANAGER = "manager"
UNASSIGNED = {DEPARTMENT: "No department", MANAGER: "No manager"}


def add_months(day, months):
    """The same day of the month `months` later (or earlier), clamped to the end of shorter months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def midnight(day, tz):
    """The first instant of `day` in `tz`."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in the viewer's calendar."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def last_months(cls, months, *, today):
        return cls(start=add_months(today, -months) + datetime.timedelta(days=1), end=today)

    def starts_at(self, tz):
        return midnight(self.start, tz)

    def ends_at(self, tz):
        """The first instant after the period."""
        return midnight(self.end + datetime.timedelta(days=1), tz)


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def percent(self):
        return None if not self.of else 100 * self.count / self.of


@dataclass
class Figures:
    active: int = 0
    ongoing: int = 0
    on_cadence: int = 0
    overdue: int = 0
    broad: int = 0
    held: int = 0
    standalone: int = 0
    prepared: int = 0
    median_days: float | None = None
    actions_kept: int = 0
    actions_due: int = 0
    organisation_actions_kept: int = 0
    organisation_actions_due: int = 0
    feedback_broad: int = 0
    feedback_asked: int = 0
    feedback_answered: int = 0
    feedback_median_days: float | None = None

    @property
    def suppressed(self):
        return self.active < MIN_GROUP_SIZE

    @property
    def ongoing_share(self):
        return Share(self.ongoing, self.active)

    @property
    def on_cadence_share(self):
        return Share(self.on_cadence, self.active)

    @property
    def breadth_share(self):
        return Share(self.broad, self.active)

    @property
    def outside_review_share(self):
        return Share(self.standalone, self.held)

    @property
    def prepared_share(self):
        return Share(self.prepared, self.held)

    @property
    def follow_through_share(self):
        return Share(self.actions_kept, self.actions_due)

    @property
    def organisation_follow_through_share(self):
        return Share(self.organisation_actions_kept, self.organisation_actions_due)

    @property
    def feedback_breadth_share(self):
        return Share(self.feedback_broad, self.active)

    @property
    def feedback_answer_share(self):
        return Share(self.feedback_answered, self.feedback_asked)


@dataclass
class Group:
    kind: str
    key: int | None
    name: str
    figures: Figures


@dataclass
class TrendMonth:
    month: datetime.date
    held: int
    on_cadence: int
    employed: int

    @property
    def suppressed(self):
        return self.employed < MIN_GROUP_SIZE

    @property
    def on_cadence_share(self):
        return Share(self.on_cadence, self.employed)


@dataclass
class Participation:
    period: Period
    as_of: datetime.datetime
    headline: Figures
    departments: list = field(default_factory=list)
    managers: list = field(default_factory=list)
    trend: list = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    """A moment at which status is judged: everyone's own date at that instant, and the first day it covers."""

    at: datetime.datetime
    first_day: datetime.date

    @property
    def day(self):
        return self.at.date()


def participation(*, now, period, tz, department=None):
    """Every figure for `period` (dates in `tz`, the viewer's timezone), optionally for one department."""
    as_of = status_moment(now=now, period=period, tz=tz)
    months = trend_months(as_of=as_of, tz=tz)
    scope = {} if department is None else {"department": department}

    groups = {}
    for row in _people_rows(scope=scope, period=period, tz=tz, as_of=as_of, months=months):
        figures = groups.setdefault((row["breakdown"], row["group_key"]), (row["group_name"], Figures()))[1]
        for name in ("active", "ongoing", "on_cadence", "overdue", "broad", "feedback_broad"):
            setattr(figures, name, row[name])
        if row["breakdown"] == EVERYONE:
            trend = [TrendMonth(month=month.first_day, held=row[f"held_{i}"] or 0, on_cadence=row[f"on_cadence_{i}"],
                                employed=row[f"employed_{i}"]) for i, month in enumerate(months)]
    for row in _conversation_rows(scope=scope, period=period, tz=tz, as_of=as_of):
        figures = groups.setdefault((row["breakdown"], row["group_key"]), ("", Figures()))[1]
        figures.held, figures.standalone, figures.prepared = row["held"], row["standalone"], row["prepared"]
        figures.median_days = row["median_days"]
    for row in _action_rows(scope=scope, period=period, as_of=as_of):
        figures = groups.setdefault((row["breakdown"], row["group_key"]), ("", Figures()))[1]
        for name in ("actions_kept", "actions_due", "organisation_actions_kept", "organisation_actions_due"):
            setattr(figures, name, row[name])
    for row in _feedback_rows(scope=scope, period=period, tz=tz, as_of=as_of):
        figures = groups.setdefault((row["breakdown"], row["group_key"]), ("", Figures()))[1]
        for name in ("feedback_asked", "feedback_answered", "feedback_median_days"):
            setattr(figures, name, row[name])

    headline = groups.pop((EVERYONE, None))[1]
    breakdown = {DEPARTMENT: [], MANAGER: []}
    for (kind, key), (name, figures) in groups.items():
        # A group with nobody active now (everyone in it has left) has nothing to report.
        if figures.active:
            name = name if key is not None else UNASSIGNED[kind]
            breakdown[kind].append(Group(kind=kind, key=key, name=name, figures=figures))
    for rows in breakdown.values():
        rows.sort(key=lambda group: (group.key is None, group.name.casefold()))
    return Participation(period=period, as_of=as_of, headline=headline, departments=breakdown[DEPARTMENT],
                         managers=breakdown[MANAGER], trend=trend)


# The periods the dashboard offers besides custom dates, each ending today or at the end of last year.
PRESETS = {
    "3m": "Last 3 months",
    "6m": "Last 6 months",
    "12m": "Last 12 months",
    "this_year": "This calendar year",
    "last_year": "Last calendar year",
}


def period_for(preset, *, today):
    """The period a preset covers on `today`."""
    if preset == "3m":
        return Period.last_months(3, today=today)
    if preset == "6m":
        return Period.last_months(6, today=today)
    if preset == "this_year":
        return Period(start=datetime.date(today.year, 1, 1), end=today)
    if preset == "last_year":
        return Period(start=datetime.date(today.year - 1, 1, 1), end=datetime.date(today.year - 1, 12, 31))
    return Period.last_months(DEFAULT_PERIOD_MONTHS, today=today)


def status_moment(*, now, period, tz):
    """Status is judged at the last instant of the period, or now while the period is still running."""
    return min(now, period.ends_at(tz) - datetime.timedelta(microseconds=1)).astimezone(tz)


def ongoing_since(*, as_of, tz):
    """Conversations held after this instant, up to `as_of`, count towards "ongoing"."""
    return midnight(add_months(as_of.date(), -ONGOING_MONTHS), tz)


def trend_months(*, as_of, tz):
    """The TREND_MONTHS calendar months up to the one containing `as_of`, each judged at its last instant."""
    this_month = as_of.date().replace(day=1)
    months = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        first_day = add_months(this_month, -back)
        month_end = midnight(add_months(first_day, 1), tz) - datetime.timedelta(microseconds=1)
        months.append(Snapshot(at=min(month_end, as_of), first_day=first_day))
    return months


def _flag(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


def _prefixed(prefix, lookups):
    return {prefix + name: value for name, value in lookups.items()}


def _employed_on(day):
    """Had started by `day` and had not left: the people a snapshot on that day counts."""
    started = Q(start_date__isnull=True) | Q(start_date__lte=day)
    staying = Q(left_on__gt=day) | Q(left_on__isnull=True, is_active=True)
    return started & staying


def _person_name(prefix):
    full_name = Trim(Concat(F(f"{prefix}user__first_name"), Value(" "), F(f"{prefix}user__last_name")))
    return Coalesce(NullIf(full_name, Value("")), F(f"{prefix}user__username"))


def _group_columns(kind, key, name):
    """The leading columns of every row: which breakdown, which group in it, and its name."""
    if kind == EVERYONE:
        return {"breakdown": Value(kind), "group_key": Value(None, output_field=IntegerField()),
                "group_name": Value("")}
    return {"breakdown": Value(kind), "group_key": F(key), "group_name": name}


def _booked_at(instant):
    """A conversation in the diary at `instant`: booked by then, starting later, and not yet called off then.

    At the present moment this is exactly regularity.py's "next booked" (confirmed, starting from now on; a
    proposal awaiting its answer is nothing booked); for a past moment it also counts conversations that were still
    ahead then and were held or cancelled since.
    """
    return Q(starts_at__gte=instant, created_at__lte=instant) & (
        Q(status=Conversation.Status.CONFIRMED)
        | Q(status__in=[Conversation.Status.COMPLETED, Conversation.Status.NO_SHOW], held_at__gt=instant)
        | Q(status=Conversation.Status.CANCELLED, cancelled_at__gt=instant)
    )


def _people_rows(*, scope, period, tz, as_of, months):
    held = Q(status=Conversation.Status.COMPLETED)
    recent_start = ongoing_since(as_of=as_of, tz=tz)

    # Each employee's conversations, counted once; people are joined to it below (no row: no conversation).
    per_employee = Conversation.objects.filter(**_prefixed("employee__", scope)).order_by().values(
        "employee_id",
    ).annotate(
        last_held_at=Max("starts_at", filter=held & Q(starts_at__lte=as_of)),
        held_recently=Count("pk", filter=held & Q(starts_at__gt=recent_start, starts_at__lte=as_of)),
        held_beyond_manager=Count("pk", filter=held & Q(starts_at__gte=period.starts_at(tz), starts_at__lte=as_of)
                                  & ~Q(relation=Relation.MANAGER)),
        booked=Count("pk", filter=_booked_at(as_of)),
        **{f"last_held_{i}": Max("starts_at", filter=held & Q(starts_at__lte=month.at))
           for i, month in enumerate(months)},
        **{f"held_in_{i}": Count("pk", filter=held & Q(starts_at__gte=midnight(month.first_day, tz),
                                                       starts_at__lte=month.at))
           for i, month in enumerate(months)},
    )
    cte = CTE(per_employee, name="per_employee", materialized=True)
    joined = cte.join(Person.objects.filter(**scope), id=cte.col.employee_id, _join_type=LOUTER).order_by()
    joined = joined.annotate(**{f"c_{name}": getattr(cte.col, name) for name in per_employee.query.annotations},
                             c_feedback_people=_feedback_people(period=period, tz=tz, as_of=as_of))

    # Each person's standing, worked out once; the three breakdowns below only count it.
    today = LocalDate(Value(as_of), F("timezone"))
    active = _employed_on(as_of.date())
    last_held_on = LocalDate(F("c_last_held_at"), F("timezone"))
    due_anchor = Coalesce(last_held_on, F("start_date"), LocalDate(F("created_at"), F("timezone")))
    standing = {
        "flag_active": _flag(active),
        "flag_ongoing": _flag(active & Q(c_held_recently__gte=ONGOING_CONVERSATIONS)),
        "flag_on_cadence": _flag(active & Q(GreaterThanOrEqual(AddDays(last_held_on, F("cadence_days")), today))),
        "flag_overdue": _flag(active & (Q(c_booked=0) | Q(c_booked__isnull=True))
                         & Q(LessThan(AddDays(due_anchor, F("cadence_days")), today))),
        "flag_broad": _flag(active & Q(c_held_beyond_manager__gt=0)),
        "flag_feedback_broad": _flag(active & Q(c_feedback_people__gte=FEEDBACK_BREADTH_PEOPLE)),
    }
    for i, month in enumerate(months):
        employed = _employed_on(month.day)
        last_held_then = LocalDate(F(f"c_last_held_{i}"), F("timezone"))
        that_day = LocalDate(Value(month.at), F("timezone"))
        standing[f"flag_employed_{i}"] = _flag(employed)
        standing[f"flag_on_cadence_{i}"] = _flag(
            employed & Q(GreaterThanOrEqual(AddDays(last_held_then, F("cadence_days")), that_day)))
        standing[f"held_in_{i}"] = F(f"c_held_in_{i}")
    people = CTE(joined.values("department_id", "manager_id", department_name=F("department__name"),
                               manager_name=_person_name("manager__"), **standing),
                 name="standing", materialized=True)

    def trend_counts(with_values):
        columns = {}
        for i in range(len(months)):
            columns[f"held_{i}"] = Sum(f"held_in_{i}")
            columns[f"employed_{i}"] = Count("flag_active", filter=Q(**{f"flag_employed_{i}": True}))
            columns[f"on_cadence_{i}"] = Count("flag_active", filter=Q(**{f"flag_on_cadence_{i}": True}))
        if not with_values:
            # UNION ALL needs the same columns in every branch; the trend is for everyone only.
            columns = {name: Value(None, output_field=IntegerField()) for name in columns}
        return columns

    def branch(kind, key=None, name=None):
        queryset = people.queryset().order_by().values(**_group_columns(kind, key, name))
        return queryset.annotate(
            **{figure: Count("flag_active", filter=Q(**{f"flag_{figure}": True}))
               for figure in ("active", "ongoing", "on_cadence", "overdue", "broad", "feedback_broad")},
            **trend_counts(with_values=kind == EVERYONE),
        )

    everyone = branch(EVERYONE)
    by_department = branch(DEPARTMENT, "department_id", F("department_name"))
    by_manager = branch(MANAGER, "manager_id", F("manager_name"))
    return with_cte(cte, people, select=everyone.union(by_department, by_manager, all=True))


def _conversation_rows(*, scope, period, tz, as_of):
    held = Conversation.objects.held().filter(starts_at__lte=as_of, **_prefixed("employee__", scope)).order_by()
    # The previous held conversation of the same employee, over all of their history: the period's first one
    # has a previous one too. Ties in time cannot change a gap, so no tie-breaker is needed.
    timezone = F("employee__timezone")
    previous_at = Window(Lag("starts_at"), partition_by=[F("employee_id")], order_by=[F("starts_at").asc()])
    shared = Preparation.objects.filter(conversation_id=OuterRef("pk"), shared_at__isnull=False)
    history = CTE(held.values(
        "kind", "starts_at",
        department_id=F("employee__department_id"),
        manager_id=F("employee__manager_id"),
        shared_preparation=Exists(shared),
        gap=DaysBetween(LocalDate(F("starts_at"), timezone), LocalDate(previous_at, timezone)),
    ), name="held_history", materialized=True)

    def branch(kind, key=None):
        queryset = history.queryset().order_by().filter(starts_at__gte=period.starts_at(tz))
        return queryset.values(**_group_columns(kind, key, Value(""))).annotate(
            held=Count("starts_at"),
            standalone=Count("starts_at", filter=Q(kind=Conversation.Kind.STANDALONE)),
            prepared=Count("starts_at", filter=Q(shared_preparation=True)),
            median_days=Median("gap"),
        )

    return with_cte(history, select=branch(EVERYONE).union(
        branch(DEPARTMENT, "department_id"), branch(MANAGER, "manager_id"), all=True))


def _action_rows(*, scope, period, as_of):
    actions = ActionItem.objects.filter(
        due_on__gte=period.start, due_on__lte=period.end, **_prefixed("conversation__employee__", scope),
    ).order_by()
    # Done by the end of the due date in the owner's calendar; the organisation's, in the employee's.
    done_on = LocalDate(F("done_at"), Coalesce(F("owner__timezone"), F("conversation__employee__timezone")))
    kept = Q(done_at__isnull=False) & Q(LessThanOrEqual(done_on, F("due_on")))
    # An open action is not late until its due date has passed.
    due = kept | Q(due_on__lt=as_of.date())
    cte = CTE(actions.values(
        department_id=F("conversation__employee__department_id"),
        manager_id=F("conversation__employee__manager_id"),
        organisation=ExpressionWrapper(Q(owner_kind=ActionItem.Owner.ORGANISATION), output_field=BooleanField()),
        kept=ExpressionWrapper(kept, output_field=BooleanField()),
        due=ExpressionWrapper(due, output_field=BooleanField()),
    ), name="actions_in_period", materialized=True)

    def branch(kind, key=None):
        queryset = cte.queryset().order_by().values(**_group_columns(kind, key, Value("")))
        return queryset.annotate(
            actions_kept=Count("kept", filter=Q(organisation=False, kept=True)),
            actions_due=Count("due", filter=Q(organisation=False, due=True)),
            organisation_actions_kept=Count("kept", filter=Q(organisation=True, kept=True)),
            organisation_actions_due=Count("due", filter=Q(organisation=True, due=True)),
        )

    return with_cte(cte, select=branch(EVERYONE).union(
        branch(DEPARTMENT, "department_id"), branch(MANAGER, "manager_id"), all=True))


def _asked_in(period, tz, as_of, prefix=""):
    return {f"{prefix}asked_at__gte": period.starts_at(tz), f"{prefix}asked_at__lte": as_of}


def _feedback_people(*, period, tz, as_of):
    """How many people other than their manager (now) the person asked for feedback in the period. A colleague
    erased since still counts, as one person each."""
    asked = FeedbackAnswer.objects.filter(request__asker=OuterRef("pk"), **_asked_in(period, tz, as_of)).filter(
        Q(colleague__isnull=True) | ~Q(colleague_id=Coalesce(OuterRef("manager_id"), Value(0))))
    who = Coalesce(F("colleague_id"), -F("pk"))
    counted = asked.order_by().values("request__asker_id").annotate(people=Count(who, distinct=True))
    return Coalesce(Subquery(counted.values("people")[:1]), Value(0))


def _feedback_rows(*, scope, period, tz, as_of):
    asked = FeedbackAnswer.objects.filter(**_asked_in(period, tz, as_of),
                                          **_prefixed("request__asker__", scope)).order_by()
    answered = Q(status=FeedbackAnswer.Status.ANSWERED, submitted_at__lte=as_of)
    timezone = F("request__asker__timezone")
    cte = CTE(asked.values(
        department_id=F("request__asker__department_id"),
        manager_id=F("request__asker__manager_id"),
        answered=ExpressionWrapper(answered, output_field=BooleanField()),
        days=Case(When(answered, then=DaysBetween(LocalDate(F("submitted_at"), timezone),
                                                  LocalDate(F("asked_at"), timezone))),
                  output_field=IntegerField()),
    ), name="feedback_asked", materialized=True)

    def branch(kind, key=None):
        queryset = cte.queryset().order_by().values(**_group_columns(kind, key, Value("")))
        return queryset.annotate(
            feedback_asked=Count("answered"),
            feedback_answered=Count("answered", filter=Q(answered=True)),
            feedback_median_days=Median("days"),
        )

    return with_cte(cte, select=branch(EVERYONE).union(
        branch(DEPARTMENT, "department_id"), branch(MANAGER, "manager_id"), all=True))
