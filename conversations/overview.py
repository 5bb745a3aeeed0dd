"""What a person's home page shows: their own regularity, what is booked, what they owe, and their team."""

from dataclasses import dataclass, field

from conversations.models import ActionItem, Conversation
from conversations.regularity import ATTENTION_ORDER, person_regularity, with_conversation_dates
from people import roles
from people.models import Person


@dataclass
class Overview:
    today: object
    due_on: object
    status: object
    upcoming: list
    open_actions: list
    proposals: list = field(default_factory=list)
    team: list = field(default_factory=list)


def overview_for(person, *, now):
    annotated = with_conversation_dates(Person.objects.filter(pk=person.pk), now=now).get()
    due, status = person_regularity(annotated, now=now)
    upcoming = list(
        Conversation.objects.involving(person).active().filter(ends_at__gte=now)
        .select_related("employee__user", "partner__user").order_by("starts_at")[:5]
    )
    # Times proposed to the person that only they can answer: shown first, with the answer at hand.
    proposals = [c for c in upcoming if c.status == Conversation.Status.REQUESTED and c.employee_id == person.pk]
    open_actions = list(
        ActionItem.objects.filter(owner=person, done_at__isnull=True)
        .select_related("conversation__employee__user", "conversation__partner__user")
        .order_by("due_on")[:5]
    )
    team = []
    if roles.is_manager(person):
        reports = with_conversation_dates(person.reports.active().select_related("user"), now=now)
        for report in reports:
            report_due, report_status = person_regularity(report, now=now)
            team.append({"person": report, "due_on": report_due, "status": report_status,
                         "proposed_at": report.next_proposed_at})
        team.sort(key=lambda row: (ATTENTION_ORDER[row["status"]], row["due_on"]))
    return Overview(today=now.astimezone(person.tz).date(), due_on=due, status=status, upcoming=upcoming,
                    open_actions=open_actions, proposals=proposals, team=team)
