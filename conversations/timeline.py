"""A person's conversations over time: the "My conversations" lists and the career timeline.

The career timeline is the employee's own story, newest first: each conversation they held or have booked (with
whom, in what relation), the aspirations they stated in its preparation, and the actions agreed in it; and the
feedback they asked colleagues for, with whom they asked and when answers came (dates and names, never the text;
no names of who answered an anonymous request).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from conversations.models import ActionItem, Conversation, Direction, FeedbackAnswer, FeedbackRequest, Horizon


def conversation_lists(*, person, now):
    """(upcoming, past) conversations the person takes part in, as employee or partner.

    Upcoming: still booked and not over, soonest first. Past: everything else, newest first (a queryset, to be
    paginated). Each carries `open_actions` and its preparation, in a fixed number of queries.
    """
    conversations = (
        Conversation.objects.involving(person)
        .select_related("employee__user", "partner__user", "preparation")
        .annotate(open_actions=Count("actions", filter=Q(actions__done_at__isnull=True)))
    )
    upcoming_filter = Q(status__in=Conversation.ACTIVE_STATUSES, ends_at__gte=now)
    upcoming = list(conversations.filter(upcoming_filter).order_by("starts_at"))
    past = conversations.exclude(upcoming_filter).order_by("-starts_at", "-pk")
    return upcoming, past


@dataclass
class Aspiration:
    direction: str
    target: str
    horizon: str

    @property
    def direction_label(self):
        return Direction(self.direction).label if self.direction else ""

    @property
    def horizon_label(self):
        return Horizon(self.horizon).label if self.horizon else ""


@dataclass
class TimelineEntry:
    conversation: Conversation
    upcoming: bool
    aspiration: Aspiration | None
    aspiration_changed: bool
    actions: list = field(default_factory=list)


def _aspiration(conversation):
    try:
        preparation = conversation.preparation
    except Conversation.preparation.RelatedObjectDoesNotExist:
        return None
    if not (preparation.aspiration_direction or preparation.aspiration_target):
        return None
    return Aspiration(preparation.aspiration_direction, preparation.aspiration_target,
                      preparation.aspiration_horizon)


def career_timeline(*, person, now):
    """The employee's timeline entries, newest first; cancelled conversations are not part of the story.

    `aspiration_changed` marks where the stated aspiration differs from the one stated before it.
    """
    conversations = (
        Conversation.objects.filter(employee=person)
        .exclude(status=Conversation.Status.CANCELLED)
        .select_related("partner__user", "preparation")
        .prefetch_related(Prefetch("actions", queryset=ActionItem.objects.select_related("owner__user")
                                   .order_by("due_on", "pk")))
        .order_by("-starts_at", "-pk")
    )
    entries = [
        TimelineEntry(
            conversation=conversation,
            upcoming=conversation.is_active and conversation.ends_at >= now,
            aspiration=_aspiration(conversation),
            aspiration_changed=False,
            actions=list(conversation.actions.all()),
        )
        for conversation in conversations
    ]
    earlier = None
    for entry in reversed(entries):
        if entry.aspiration is None:
            continue
        entry.aspiration_changed = earlier is not None and entry.aspiration != earlier
        earlier = entry.aspiration
    return entries


def current_aspiration(entries):
    """The latest aspiration stated, from timeline entries (newest first)."""
    return next((entry.aspiration for entry in entries if entry.aspiration is not None), None)


@dataclass
class FeedbackEntry:
    request: FeedbackRequest
    asked: list  # names of the colleagues asked ("A former colleague" once erased)
    received: list  # (date answered, name or None for an anonymous request), oldest first
    declined: int


def feedback_timeline(*, person):
    """The feedback the person asked for, newest first, in two queries."""
    requests = (FeedbackRequest.objects.filter(asker=person).order_by("-created_at", "-pk")
                .prefetch_related(Prefetch("answers", queryset=FeedbackAnswer.objects.select_related("colleague__user")
                                           .order_by("asked_at", "pk"))))
    entries = []
    for request in requests:
        answers = list(request.answers.all())
        answered = sorted((answer for answer in answers if answer.status == FeedbackAnswer.Status.ANSWERED),
                          key=lambda answer: answer.submitted_at)
        entries.append(FeedbackEntry(
            request=request,
            asked=[answer.colleague.name if answer.colleague else "A former colleague" for answer in answers],
            received=[(answer.submitted_at, None if request.anonymous or answer.colleague is None
                       else answer.colleague.name) for answer in answered],
            declined=sum(answer.status == FeedbackAnswer.Status.DECLINED for answer in answers),
        ))
    return entries
