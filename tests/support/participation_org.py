"""A small organisation whose participation figures are worked out by hand in the tests that use it.

Today is Sunday 15 March 2026, 12:00 UTC (London is on GMT). Unless said otherwise people are in London, started
on 8 January 2024 and have a 90-day cadence; conversations start at 10:00 UTC.

Engineering: Maya (manages A–F and Lee), A, B, C, D (started 1 Feb 2026), E, F (60-day cadence); Lee left on
31 Dec 2025. Sales: Sam (manages S1 and S2), S1 (Tokyo), S2. People: Hana (HR).

Held conversations (employee: date kind/relation):
  A: 2025-01-10, 2025-06-01 review, 2025-10-01, 2026-02-01 with Sam as mentor (preparation shared)
  B: 2025-11-20 (preparation written but not shared); a conversation booked for 2026-03-20
  E: 2026-01-10 review, 2026-03-01 with F as peer (preparation shared);
     also a cancelled one (2026-02-15) and a no-show (2026-02-20), which do not count
  F: 2025-09-01, 2025-12-20
  Lee: 2025-07-01
  S1: 2026-03-10 (preparation shared)
  Hana: 2025-12-01 and 2026-02-10 with Maya as "other"
  C, D, Maya, Sam and S2: none.

Feedback asked of colleagues (asker: date asked → colleague's reply, date):
  A, 2026-02-01: B answered 2026-02-04 (3 days), C declined 2026-02-02, Maya (A's manager) answered 2026-02-11
  E, 2026-03-01: F answered 2026-03-06 (5 days), S1 has not answered
  S2, 2026-03-02: Sam (S2's manager) has not answered, Hana answered 2026-03-03 (1 day)
  F, 2025-02-01 (before the last twelve months): B answered 2025-02-02
"""

import datetime
from dataclasses import dataclass

from conversations.models import ActionItem, Conversation, FeedbackAnswer, FeedbackRequest, Relation
from tests.support.factories import (
    ActionItemFactory,
    ConversationFactory,
    DepartmentFactory,
    PersonFactory,
    PreparationFactory,
    make_hr,
)

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = datetime.date(2026, 3, 15)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


@dataclass
class Organisation:
    engineering: object
    sales: object
    people: object
    maya: object
    sam: object
    hana: object
    a: object
    b: object
    c: object
    d: object
    e: object
    f: object
    lee: object
    s1: object
    s2: object


def person(username, department, manager=None, **extra):
    return PersonFactory(user__username=username, user__first_name=username.capitalize(), user__last_name="Example",
                         department=department, manager=manager, **extra)


def held(employee, partner, day, *, kind=Conversation.Kind.STANDALONE, relation=Relation.MANAGER, shared=None):
    starts_at = at(day)
    conversation = ConversationFactory(employee=employee, partner=partner, starts_at=starts_at, relation=relation,
                                       status=Conversation.Status.COMPLETED, kind=kind,
                                       held_at=starts_at + datetime.timedelta(minutes=30))
    if shared is not None:
        shared_at = at(day - datetime.timedelta(days=1)) if shared else None
        PreparationFactory(conversation=conversation, shared_at=shared_at)
    return conversation


def asked(asker, day, replies):
    """A request for feedback asked on `day`, with (colleague, status, day of the reply) for each colleague."""
    request = FeedbackRequest.objects.create(asker=asker, areas=["abilities"], created_at=at(day),
                                             answer_by=day + datetime.timedelta(days=7),
                                             expires_on=day + datetime.timedelta(days=21))
    for colleague, status, replied_on in replies:
        FeedbackAnswer.objects.create(request=request, colleague=colleague, status=status, asked_at=at(day),
                                      submitted_at=at(replied_on) if replied_on else None,
                                      abilities="Thoughtful" if status == "answered" else "")
    return request


def build_organisation():
    engineering = DepartmentFactory(name="Engineering")
    sales = DepartmentFactory(name="Sales")
    people = DepartmentFactory(name="People")

    maya = person("maya", engineering)
    sam = person("sam", sales)
    hana = make_hr(person("hana", people))
    a, b, c = (person(name, engineering, maya) for name in ("a", "b", "c"))
    d = person("d", engineering, maya, start_date=datetime.date(2026, 2, 1))
    e = person("e", engineering, maya)
    f = person("f", engineering, maya, cadence_days=60)
    lee = person("lee", engineering, maya, is_active=False, left_on=datetime.date(2025, 12, 31))
    s1 = person("s1", sales, sam, timezone="Asia/Tokyo")
    s2 = person("s2", sales, sam)

    held(a, maya, datetime.date(2025, 1, 10))
    held(a, maya, datetime.date(2025, 6, 1), kind=Conversation.Kind.REVIEW)
    held(a, maya, datetime.date(2025, 10, 1))
    a_latest = held(a, sam, datetime.date(2026, 2, 1), relation=Relation.MENTOR, shared=True)

    held(b, maya, datetime.date(2025, 11, 20), shared=False)
    booked = ConversationFactory(employee=b, partner=maya, starts_at=at(datetime.date(2026, 3, 20)),
                                 status=Conversation.Status.CONFIRMED)
    # Booked on 1 March: before "now" in the tests, whenever they run.
    Conversation.objects.filter(pk=booked.pk).update(created_at=at(datetime.date(2026, 3, 1)))

    held(e, maya, datetime.date(2026, 1, 10), kind=Conversation.Kind.REVIEW)
    e_latest = held(e, f, datetime.date(2026, 3, 1), relation=Relation.PEER, shared=True)
    ConversationFactory(employee=e, partner=maya, starts_at=at(datetime.date(2026, 2, 15)),
                        status=Conversation.Status.CANCELLED, cancelled_at=at(datetime.date(2026, 2, 14)))
    ConversationFactory(employee=e, partner=maya, starts_at=at(datetime.date(2026, 2, 20)),
                        status=Conversation.Status.NO_SHOW, held_at=at(datetime.date(2026, 2, 20), 11))

    held(f, maya, datetime.date(2025, 9, 1))
    held(f, maya, datetime.date(2025, 12, 20))
    held(lee, maya, datetime.date(2025, 7, 1))
    s1_latest = held(s1, sam, datetime.date(2026, 3, 10), shared=True)
    held(hana, maya, datetime.date(2025, 12, 1), relation=Relation.OTHER)
    held(hana, maya, datetime.date(2026, 2, 10), relation=Relation.OTHER)

    # Actions (due dates in the period unless said otherwise):
    action = ActionItemFactory
    action(conversation=a_latest, owner_kind=ActionItem.Owner.EMPLOYEE, owner=a,
           due_on=datetime.date(2026, 2, 15), done_at=at(datetime.date(2026, 2, 14)))  # kept
    action(conversation=a_latest, owner_kind=ActionItem.Owner.PARTNER, owner=sam,
           due_on=datetime.date(2026, 2, 20), done_at=at(datetime.date(2026, 2, 25)))  # late
    action(conversation=a_latest, owner_kind=ActionItem.Owner.ORGANISATION, owner=None,
           due_on=datetime.date(2026, 3, 1), done_at=None)  # open, past due
    action(conversation=a_latest, owner_kind=ActionItem.Owner.EMPLOYEE, owner=a,
           due_on=datetime.date(2026, 3, 20), done_at=None)  # due after the period
    action(conversation=e_latest, owner_kind=ActionItem.Owner.EMPLOYEE, owner=e,
           due_on=TODAY, done_at=None)  # due today: not yet late
    action(conversation=e_latest, owner_kind=ActionItem.Owner.ORGANISATION, owner=None,
           due_on=datetime.date(2026, 3, 10), done_at=at(datetime.date(2026, 3, 9)))  # kept
    # Done at 16:00 UTC on its due date: already the 13th in Tokyo, so late in its owner's calendar.
    action(conversation=s1_latest, owner_kind=ActionItem.Owner.EMPLOYEE, owner=s1,
           due_on=datetime.date(2026, 3, 12), done_at=at(datetime.date(2026, 3, 12), 16))

    asked(a, datetime.date(2026, 2, 1), [(b, "answered", datetime.date(2026, 2, 4)),
                                         (c, "declined", datetime.date(2026, 2, 2)),
                                         (maya, "answered", datetime.date(2026, 2, 11))])
    asked(e, datetime.date(2026, 3, 1), [(f, "answered", datetime.date(2026, 3, 6)), (s1, "asked", None)])
    asked(s2, datetime.date(2026, 3, 2), [(sam, "asked", None), (hana, "answered", datetime.date(2026, 3, 3))])
    asked(f, datetime.date(2025, 2, 1), [(b, "answered", datetime.date(2025, 2, 2))])

    return Organisation(engineering=engineering, sales=sales, people=people, maya=maya, sam=sam, hana=hana, a=a, b=b,
                        c=c, d=d, e=e, f=f, lee=lee, s1=s1, s2=s2)
