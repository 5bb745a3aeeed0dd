"""A manager's team: each report's regularity computed at a given `now`, who needs attention first, open actions,
and never the content of conversations the manager did not hold."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import ActionItem, Conversation
from conversations.regularity import Regularity
from conversations.team import team_member, team_rows
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory, PersonFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def held(employee, partner, day):
    starts_at = datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC)
    return ConversationFactory(employee=employee, partner=partner, starts_at=starts_at,
                               status=Conversation.Status.COMPLETED, held_at=starts_at)


def report(manager, first_name, **kwargs):
    return PersonFactory(manager=manager, user__first_name=first_name, user__last_name="Report", **kwargs)


@pytest.fixture
def lead():
    """A manager with no reports yet."""
    return PersonFactory(user__first_name="Lena", user__last_name="Lead", job_title="Team Lead")


@pytest.fixture
def team(lead):
    manager = lead
    overdue = report(manager, "Olga")
    held(overdue, manager, datetime.date(2025, 11, 1))
    due_soon = report(manager, "Dara")
    held(due_soon, manager, datetime.date(2025, 12, 5))
    on_track = report(manager, "Omar")
    held(on_track, manager, datetime.date(2026, 2, 1))
    no_history = report(manager, "Nia", start_date=datetime.date(2026, 2, 20))
    booked = report(manager, "Bea")
    held(booked, manager, datetime.date(2025, 11, 1))
    ConversationFactory(employee=booked, partner=manager, starts_at=datetime.datetime(2026, 3, 4, 9, tzinfo=UTC))
    return {"overdue": overdue, "due_soon": due_soon, "on_track": on_track, "no_history": no_history,
            "booked": booked}


def test_each_report_gets_their_status_and_due_date_at_the_given_moment(lead, team):
    rows = {row.person.pk: row for row in team_rows(lead, now=NOW)}

    assert (rows[team["overdue"].pk].status, rows[team["overdue"].pk].due_on) == (
        Regularity.OVERDUE, datetime.date(2026, 1, 30))
    assert (rows[team["due_soon"].pk].status, rows[team["due_soon"].pk].due_on) == (
        Regularity.DUE_SOON, datetime.date(2026, 3, 5))
    assert (rows[team["on_track"].pk].status, rows[team["on_track"].pk].due_on) == (
        Regularity.ON_TRACK, datetime.date(2026, 5, 2))
    assert (rows[team["no_history"].pk].status, rows[team["no_history"].pk].due_on) == (
        Regularity.NO_HISTORY, datetime.date(2026, 5, 21))
    assert rows[team["booked"].pk].status == Regularity.BOOKED


def test_who_needs_attention_comes_first(lead, team):
    names = [row.person.user.first_name for row in team_rows(lead, now=NOW)]

    assert names == ["Olga", "Dara", "Nia", "Omar", "Bea"]


def test_a_report_due_in_eight_days_is_on_track_and_in_seven_days_due_soon(lead, team):
    eight_days_before = datetime.datetime(2026, 4, 24, 12, tzinfo=UTC)
    seven_days_before = datetime.datetime(2026, 4, 25, 12, tzinfo=UTC)

    before = {row.person.pk: row.status for row in team_rows(lead, now=eight_days_before)}
    after = {row.person.pk: row.status for row in team_rows(lead, now=seven_days_before)}

    assert before[team["on_track"].pk] == Regularity.ON_TRACK
    assert after[team["on_track"].pk] == Regularity.DUE_SOON


def test_the_day_after_the_due_date_a_report_is_overdue(lead, team):
    the_day_after = datetime.datetime(2026, 5, 3, 12, tzinfo=UTC)

    rows = {row.person.pk: row for row in team_rows(lead, now=the_day_after)}

    assert rows[team["on_track"].pk].status == Regularity.OVERDUE


def test_open_and_overdue_actions_are_counted_per_report(lead, team):
    conversation = Conversation.objects.filter(employee=team["overdue"]).first()
    ActionItemFactory(conversation=conversation, due_on=datetime.date(2026, 2, 20))
    ActionItemFactory(conversation=conversation, due_on=datetime.date(2026, 3, 20))
    ActionItemFactory(conversation=conversation, due_on=datetime.date(2026, 1, 20), done_at=NOW)

    row = next(row for row in team_rows(lead, now=NOW) if row.person.pk == team["overdue"].pk)

    assert (row.person.open_actions, row.person.overdue_actions) == (2, 1)


def test_the_team_page_costs_the_same_queries_for_two_or_twelve_reports(lead):
    for index in range(2):
        held(report(lead, f"A{index}"), lead, datetime.date(2026, 1, 5))
    with CaptureQueriesContext(connection) as small:
        team_rows(lead, now=NOW)
    for index in range(10):
        held(report(lead, f"B{index}"), lead, datetime.date(2026, 1, 5))
    with CaptureQueriesContext(connection) as large:
        rows = team_rows(lead, now=NOW)

    assert len(rows) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_people_who_left_and_other_managers_reports_are_not_on_the_team(manager, employee):
    PersonFactory(manager=manager, is_active=False, user__first_name="Gone")
    PersonFactory(user__first_name="Elsewhere")

    names = [row.person.user.first_name for row in team_rows(manager, now=NOW)]

    assert names == ["Eli"]


def test_a_manager_sees_dates_of_all_conversations_but_only_the_actions_of_their_own(manager, employee, mentor):
    with_mentor = held(employee, mentor, datetime.date(2026, 1, 10))
    ActionItemFactory(conversation=with_mentor, text="Read the mentor's reading list")
    NotesFactory(conversation=with_mentor, summary="Mentor's shared notes")
    with_manager = held(employee, manager, datetime.date(2026, 2, 10))
    ActionItemFactory(conversation=with_manager, text="Pair with the data team")

    member = team_member(manager, employee, now=NOW)

    assert [c.starts_at.date() for c in member.history] == [datetime.date(2026, 2, 10), datetime.date(2026, 1, 10)]
    assert [action.text for action in member.actions_with_me] == ["Pair with the data team"]
    assert member.other_open_actions == 1
    assert member.handed_over_notes == [] and member.handed_over_actions == []


def test_the_team_page_offers_a_proposal_or_opens_the_next_conversation(client, manager, employee):
    booked = report(manager, "Bea")
    upcoming = ConversationFactory(employee=booked, partner=manager,
                                   starts_at=timezone.now() + datetime.timedelta(days=3))
    client.force_login(manager.user)

    body = client.get(reverse("conversations:team")).content.decode()

    assert reverse("conversations:propose", args=[employee.pk]) in body
    assert reverse("conversations:notes", args=[upcoming.pk]) in body
    assert reverse("conversations:propose", args=[booked.pk]) not in body


def test_an_organisation_action_counts_towards_the_reports_open_actions(manager, employee):
    conversation = held(employee, manager, datetime.date(2026, 2, 10))
    ActionItemFactory(conversation=conversation, owner_kind=ActionItem.Owner.ORGANISATION, owner=None,
                      due_on=datetime.date(2026, 2, 25))

    row = team_rows(manager, now=NOW)[0]

    assert (row.person.open_actions, row.person.overdue_actions) == (1, 1)


def test_a_report_whose_start_date_is_the_end_of_the_calendar_shows_on_the_team_pages(client, manager):
    # Some HR systems write 9999-12-31 for a date they do not know; a cadence after it does not exist.
    placeholder = report(manager, "Pat", start_date=datetime.date(9999, 12, 31))
    client.force_login(manager.user)

    pages = [client.get(reverse("home")), client.get(reverse("conversations:team")),
             client.get(reverse("conversations:team_member", args=[placeholder.pk]))]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert "31 December 9999" in pages[2].content.decode()
