"""The sweep computes due dates in the database; the pages compute them in Python with conversations.regularity.
Both must agree for every person, including conversations held around midnight and across DST changes."""

import datetime
import itertools

import pytest

from conversations.regularity import Regularity, person_regularity, with_conversation_dates
from conversations.reminders.selection import Context, people_with_due
from people.models import Person
from tests.support.factories import PersonFactory
from tests.support.reminding import at, held

pytestmark = pytest.mark.django_db

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "America/St_Johns"]
HELD = [
    # Either side of local midnight, and either side of the spring and autumn changes in Europe and America.
    "2025-11-30T23:30:00+00:00", "2025-12-01T00:30:00+00:00", "2025-12-01T04:59:00+00:00",
    "2025-12-01T05:01:00+00:00", "2025-10-26T00:30:00+00:00", "2025-10-26T01:30:00+00:00",
    "2025-11-02T05:30:00+00:00", "2025-11-02T06:30:00+00:00", "2026-03-08T06:59:00+00:00",
    "2026-03-08T07:01:00+00:00", "2026-03-29T00:59:00+00:00", "2026-03-29T01:01:00+00:00",
    "2025-12-31T10:30:00+00:00", "2025-12-31T11:30:00+00:00",
]
CADENCES = [30, 90]


@pytest.fixture
def partner():
    return PersonFactory(user__username="partner", start_date=datetime.date(2026, 6, 1))


def sql_due_dates(now):
    return dict(people_with_due(Context.at(now)).values_list("pk", "due"))


def python_due_dates(now):
    people = with_conversation_dates(Person.objects.filter(is_active=True), now=now)
    return {person.pk: person_regularity(person, now=now) for person in people}


@pytest.mark.parametrize("now", [at("2026-03-09T12:00:00+00:00"), at("2026-04-02T23:45:00+00:00")])
def test_the_database_and_regularity_agree_on_every_due_date(partner, now):
    for zone, held_at, cadence in itertools.product(ZONES, HELD, CADENCES):
        person = PersonFactory(timezone=zone, cadence_days=cadence, start_date=None)
        held(person, partner, at(held_at))
    for zone, start_date in itertools.product(ZONES, [datetime.date(2025, 12, 10), None]):
        PersonFactory(timezone=zone, start_date=start_date)

    in_python = python_due_dates(now)
    in_sql = sql_due_dates(now)

    assert in_sql == {pk: due for pk, (due, _status) in in_python.items()}


def test_a_conversation_held_just_after_midnight_in_new_york_counts_for_that_new_york_day(partner):
    # 04:30 UTC on 1 December is still 30 November in New York, but already 1 December in London.
    new_york = PersonFactory(timezone="America/New_York", start_date=None)
    london = PersonFactory(timezone="Europe/London", start_date=None)
    held(new_york, partner, at("2025-12-01T04:30:00+00:00"))
    held(london, partner, at("2025-12-01T04:30:00+00:00"))

    due = sql_due_dates(at("2026-02-01T12:00:00+00:00"))

    assert due[new_york.pk] == datetime.date(2026, 2, 28)
    assert due[london.pk] == datetime.date(2026, 3, 1)


def test_the_due_soon_and_overdue_reminders_match_the_status_shown_on_the_pages(partner):
    now = at("2026-03-09T12:00:00+00:00")
    for days_ago in range(70, 110, 3):
        held(PersonFactory(start_date=None), partner, now - datetime.timedelta(days=days_ago))

    statuses = {pk: status for pk, (_due, status) in python_due_dates(now).items()}
    ctx = Context.at(now)
    sql = people_with_due(ctx)

    due_soon = set(sql.filter(due__gte=ctx.date_in("timezone"), due__lte=ctx.date_in("timezone", 7))
                   .values_list("pk", flat=True))
    overdue = set(sql.filter(due__lt=ctx.date_in("timezone")).values_list("pk", flat=True))
    assert due_soon == {pk for pk, status in statuses.items() if status == Regularity.DUE_SOON}
    assert overdue == {pk for pk, status in statuses.items() if status == Regularity.OVERDUE}
    assert len(due_soon) == 2 and len(overdue) == 7  # held 85 and 88 days ago; 91 to 109 days ago
