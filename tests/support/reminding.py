"""Helpers for the reminder tests: fixed instants, conversation history, and what the sweep decides, by name."""

import datetime

from conversations.models import Conversation
from conversations.reminders.selection import Context, due_now
from people.models import Person
from tests.support.factories import ConversationFactory

UTC = datetime.UTC


def at(text):
    """An aware instant from ISO text with its offset, e.g. at("2026-03-03T10:00+00:00")."""
    return datetime.datetime.fromisoformat(text)


def held(employee, partner, starts_at):
    return ConversationFactory(employee=employee, partner=partner, starts_at=starts_at,
                               status=Conversation.Status.COMPLETED, held_at=starts_at)


def settle(*people, today):
    """Make people recent joiners, so that nothing about them is due unless a test says so."""
    Person.objects.filter(pk__in=[person.pk for person in people]).update(
        start_date=today - datetime.timedelta(days=30))


def decided(now, *usernames):
    """What a sweep at `now` decides, as (kind, recipient's username, period), for the given people (or all)."""
    names = dict(Person.objects.values_list("pk", "user__username"))
    rows = {(kind, names[recipient], period) for kind, recipient, _subject, period in due_now(Context.at(now))}
    return {row for row in rows if not usernames or row[1] in usernames}
