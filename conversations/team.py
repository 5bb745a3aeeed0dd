"""A manager's team: each direct report's regularity, what is booked, what is open, who needs attention first.

A manager sees the dates and statuses of all their reports' conversations, and the content only of those they
took part in themselves (or that a report handed over to them): never the text of a conversation held with someone
else.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from conversations import audit
from conversations.handover import handed_over
from conversations.models import ActionItem, Conversation
from conversations.regularity import ATTENTION_ORDER, person_regularity, with_conversation_dates


def _count(queryset):
    """A correlated count of `queryset` rows per report, for annotate()."""
    counted = queryset.order_by().values("conversation__employee").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass
class TeamRow:
    person: object
    due_on: object
    status: object


def attention_summary(rows):
    """How many reports are in each status that needs attention, for the line above the team list."""
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return [(status, counts[status]) for status in ATTENTION_ORDER if counts.get(status)]


def team_rows(manager, *, now):
    """Every active direct report with their regularity and open actions, who needs attention first.

    The number of queries does not depend on the size of the team: dates and counts are annotations.
    """
    today = now.astimezone(manager.tz).date()
    open_actions = ActionItem.objects.filter(conversation__employee=OuterRef("pk"), done_at__isnull=True)
    next_with_me = (
        Conversation.objects.filter(employee=OuterRef("pk"), partner=manager, status__in=Conversation.ACTIVE_STATUSES,
                                    ends_at__gte=now)
        .order_by("starts_at").values("pk")[:1]
    )
    last_with_me = (
        Conversation.objects.held().filter(employee=OuterRef("pk"), partner=manager)
        .order_by("-starts_at").values("pk")[:1]
    )
    reports = with_conversation_dates(manager.reports.active().select_related("user", "department"), now=now).annotate(
        open_actions=_count(open_actions),
        overdue_actions=_count(open_actions.filter(due_on__lt=today)),
        next_with_me_pk=Subquery(next_with_me),
        last_with_me_pk=Subquery(last_with_me),
    )
    rows = []
    for report in reports:
        due, status = person_regularity(report, now=now)
        rows.append(TeamRow(person=report, due_on=due, status=status))
    rows.sort(key=lambda row: (ATTENTION_ORDER[row.status], row.due_on, row.person.name))
    return rows


@dataclass
class TeamMember:
    person: object
    due_on: object
    status: object
    history: list
    upcoming: Conversation | None
    actions_with_me: list
    other_open_actions: int
    today: object
    handed_over_notes: list = field(default_factory=list)
    handed_over_actions: list = field(default_factory=list)


def team_member(manager, report, *, now):
    """One report as their manager may see them: every conversation's date, relation and status; the actions of
    conversations held with the manager; what the report handed over, whose notes the manager reads here (recorded
    in the audit log); a count of the rest."""
    annotated = with_conversation_dates(type(report).objects.filter(pk=report.pk), now=now).get()
    due, status = person_regularity(annotated, now=now)
    history = list(Conversation.objects.filter(employee=report).select_related("partner__user").order_by("-starts_at"))
    upcoming = min((c for c in history if c.is_active and c.ends_at >= now), key=lambda c: c.starts_at, default=None)
    actions_with_me = list(ActionItem.objects.filter(conversation__employee=report, conversation__partner=manager)
                           .select_related("owner__user", "conversation").order_by("done_at", "due_on", "pk"))
    notes, actions = handed_over(manager=manager, employee=report)
    for notes_ in notes:
        audit.record_access(actor=manager, conversation=notes_.conversation, subject=notes_,
                            action=audit.Action.VIEWED, now=now)
    other_open = (ActionItem.objects.filter(conversation__employee=report, done_at__isnull=True)
                  .exclude(conversation__partner=manager).exclude(pk__in=[action.pk for action in actions]).count())
    return TeamMember(person=annotated, due_on=due, status=status, history=history, upcoming=upcoming,
                      actions_with_me=actions_with_me, other_open_actions=other_open,
                      today=now.astimezone(manager.tz).date(), handed_over_notes=notes, handed_over_actions=actions)
