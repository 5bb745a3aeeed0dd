"""How regular a person's career conversations are: when the next one is due, and whether they are on track.

The next conversation is due a cadence after the last one held; a person who never had one is due a cadence
after they started. `today` is a parameter so that the rule can be checked at any date.
"""

import datetime

from django.db import models
from django.db.models import Max, OuterRef, Q, Subquery

from conversations.models import Conversation

DUE_SOON_DAYS = 7


class Regularity(models.TextChoices):
    BOOKED = "booked", "Booked"
    ON_TRACK = "on_track", "On track"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    NO_HISTORY = "no_history", "No conversation yet"


# Sort order for lists that put who needs attention first.
ATTENTION_ORDER = {
    Regularity.OVERDUE: 0,
    Regularity.DUE_SOON: 1,
    Regularity.NO_HISTORY: 2,
    Regularity.ON_TRACK: 3,
    Regularity.BOOKED: 4,
}


def due_on(*, last_held_at, start_date, joined_on, cadence_days, tz):
    """The date the next conversation is due, in the person's timezone."""
    if last_held_at is not None:
        anchor = last_held_at.astimezone(tz).date()
    else:
        anchor = start_date or joined_on
    try:
        return anchor + datetime.timedelta(days=cadence_days)
    except OverflowError:
        # A start date at the end of the calendar (some HR systems write 9999-12-31 for "not known"): not due
        # in any foreseeable future, rather than a crash on every page that shows the person.
        return datetime.date.max


def regularity(*, due, last_held_at, next_booked_at, today):
    """On track, due soon (within 7 days), overdue; booked when a conversation is already in the diary."""
    if next_booked_at is not None:
        return Regularity.BOOKED
    if due < today:
        return Regularity.OVERDUE
    if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return Regularity.DUE_SOON
    if last_held_at is None:
        return Regularity.NO_HISTORY
    return Regularity.ON_TRACK


def _next(status, *, now):
    # A conversation under way still counts until it ends.
    return Subquery(
        Conversation.objects.filter(employee=OuterRef("pk"), status=status, ends_at__gt=now)
        .order_by("starts_at").values("starts_at")[:1]
    )


def with_conversation_dates(people, *, now):
    """Annotate people with `last_held_at`, `next_booked_at` and `next_proposed_at`, in one query.

    A proposed time is not booked until the employee accepts it: until then the person keeps the status they had,
    and `next_proposed_at` says an answer is awaited.
    """
    return people.annotate(
        last_held_at=Max("conversations_as_employee__starts_at",
                         filter=Q(conversations_as_employee__status=Conversation.Status.COMPLETED)),
        next_booked_at=_next(Conversation.Status.CONFIRMED, now=now),
        next_proposed_at=_next(Conversation.Status.REQUESTED, now=now),
    )


def person_regularity(person, *, now):
    """Due date and status for one annotated person (see with_conversation_dates)."""
    tz = person.tz
    due = due_on(
        last_held_at=person.last_held_at,
        start_date=person.start_date,
        joined_on=person.created_at.astimezone(tz).date(),
        cadence_days=person.cadence_days,
        tz=tz,
    )
    status = regularity(due=due, last_held_at=person.last_held_at, next_booked_at=person.next_booked_at,
                        today=now.astimezone(tz).date())
    return due, status


