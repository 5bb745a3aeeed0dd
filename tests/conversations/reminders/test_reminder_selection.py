"""What the sweep decides at a given `now`: each kind of reminder, its boundaries, timezones and preferences.

Unless a test says otherwise it is Tuesday 3 March 2026, 10:00 UTC (10:00 in London), everyone's cadence is
90 days, a conversation held N days ago makes the next one due 90 - N days from today, and Maya's weekly digest
is off (it would otherwise be due all week).
"""

import datetime

import pytest

from conversations.models import ActionItem, Conversation
from people.models import Person
from tests.support.factories import ActionItemFactory, ConversationFactory, PersonFactory, make_hr
from tests.support.reminding import at, decided, held, settle

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03T10:00:00+00:00")
TODAY = datetime.date(2026, 3, 3)


def days_ago(days, hour=10):
    return (NOW - datetime.timedelta(days=days)).replace(hour=hour)


@pytest.fixture
def team(employee, manager, mentor, hr):
    """Eli reports to Maya; nothing is due for anyone until a test makes it so."""
    settle(employee, manager, mentor, hr, today=TODAY)
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False)
    return employee, manager


# --- due soon ----------------------------------------------------------------------------------------------------


def test_due_soon_reminds_the_employee_and_copies_their_manager(team, employee, manager):
    held(employee, manager, days_ago(85))

    assert decided(NOW) == {("due_soon", "eli", "2026-03-08"), ("due_soon_manager", "maya", "2026-03-08")}


def test_due_in_exactly_seven_days_is_due_soon_and_in_eight_is_not(team, employee, manager, mentor):
    held(employee, manager, days_ago(83))
    held(mentor, manager, days_ago(82))

    assert decided(NOW, "eli", "mina") == {("due_soon", "eli", "2026-03-10")}


def test_on_the_due_date_it_is_due_soon_and_the_day_after_overdue(team, employee, manager):
    held(employee, manager, days_ago(90))

    assert decided(NOW, "eli") == {("due_soon", "eli", "2026-03-03")}
    assert decided(NOW + datetime.timedelta(days=1), "eli") == {("overdue", "eli", "2026-03-03")}


def test_the_due_date_is_the_employees_local_date_of_the_last_conversation(team, employee, manager):
    # 23:30 UTC on 7 December is already 8 December in Berlin: due 90 days after the 8th.
    Person.objects.filter(pk=employee.pk).update(timezone="Europe/Berlin")
    held(employee, manager, at("2025-12-07T23:30:00+00:00"))

    assert decided(NOW, "eli") == {("due_soon", "eli", "2026-03-08")}


def test_a_booked_conversation_means_no_due_soon_reminder(team, employee, manager):
    held(employee, manager, days_ago(85))
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(days=10))

    assert decided(NOW) == set()


def test_a_proposal_awaiting_the_employees_answer_is_not_booked_so_reminders_go_on(team, employee, manager):
    held(employee, manager, days_ago(85))
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(days=10),
                        status=Conversation.Status.REQUESTED)

    assert decided(NOW) == {("due_soon", "eli", "2026-03-08"), ("due_soon_manager", "maya", "2026-03-08")}
    assert decided(NOW + datetime.timedelta(days=6), "eli") == {("overdue", "eli", "2026-03-08")}


def test_someone_who_never_had_one_is_due_a_cadence_after_their_start_date(team, employee):
    Person.objects.filter(pk=employee.pk).update(start_date=datetime.date(2025, 12, 5), cadence_days=90)

    assert decided(NOW) == {("due_soon", "eli", "2026-03-05"), ("due_soon_manager", "maya", "2026-03-05")}


def test_a_shorter_cadence_chosen_by_the_employee_is_used(team, employee, manager):
    Person.objects.filter(pk=employee.pk).update(cadence_days=30)
    held(employee, manager, days_ago(25))

    assert decided(NOW, "eli") == {("due_soon", "eli", "2026-03-08")}


def test_a_person_with_no_manager_is_reminded_with_no_copy(team, manager, mentor):
    held(manager, mentor, days_ago(85))

    assert decided(NOW) == {("due_soon", "maya", "2026-03-08")}


def test_a_person_who_left_gets_no_reminder_and_their_manager_no_copy(team, employee, manager):
    held(employee, manager, days_ago(85))
    Person.objects.filter(pk=employee.pk).update(is_active=False, left_on=datetime.date(2026, 2, 27))

    assert decided(NOW) == set()


def test_a_manager_who_left_gets_no_copy(team, employee, manager):
    held(employee, manager, days_ago(85))
    Person.objects.filter(pk=manager.pk).update(is_active=False)

    assert decided(NOW) == {("due_soon", "eli", "2026-03-08")}


def test_someone_whose_sign_in_is_disabled_counts_as_gone(team, employee, manager):
    held(employee, manager, days_ago(85))
    employee.user.is_active = False
    employee.user.save()

    assert decided(NOW) == set()


def test_turning_due_soon_off_stops_only_that_persons_reminder(team, employee, manager):
    held(employee, manager, days_ago(85))
    Person.objects.filter(pk=employee.pk).update(remind_due_soon=False)

    assert decided(NOW) == {("due_soon_manager", "maya", "2026-03-08")}
    Person.objects.filter(pk=manager.pk).update(remind_due_soon=False)
    assert decided(NOW) == set()


# --- overdue -----------------------------------------------------------------------------------------------------


def test_overdue_reminds_the_employee_but_not_yet_the_manager(team, employee, manager):
    held(employee, manager, days_ago(103))

    assert decided(NOW) == {("overdue", "eli", "2026-02-18")}


def test_fourteen_days_overdue_also_reminds_the_manager(team, employee, manager):
    held(employee, manager, days_ago(104))

    assert decided(NOW) == {("overdue", "eli", "2026-02-17"), ("overdue_manager", "maya", "2026-02-17")}


def test_turning_overdue_off_is_honoured_for_each_recipient(team, employee, manager):
    held(employee, manager, days_ago(104))
    Person.objects.filter(pk=employee.pk).update(remind_overdue=False)

    assert decided(NOW) == {("overdue_manager", "maya", "2026-02-17")}


def test_an_unknown_timezone_gets_no_reminders_and_does_not_stop_the_others(team, employee, manager, mentor):
    held(employee, manager, days_ago(104))
    held(mentor, manager, days_ago(94))
    Person.objects.filter(pk=employee.pk).update(timezone="Mars/Olympus_Mons")

    assert decided(NOW) == {("overdue", "mina", "2026-02-27")}


# --- upcoming ----------------------------------------------------------------------------------------------------


def test_a_conversation_24_hours_ahead_reminds_both_participants(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(hours=24))

    assert decided(NOW) == {("upcoming", "eli", "2026-03-04T10:00Z"),
                            ("upcoming", "maya", "2026-03-04T10:00Z")}


def test_a_conversation_more_than_24_hours_ahead_or_already_started_is_not_upcoming(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager,
                        starts_at=NOW + datetime.timedelta(hours=24, minutes=1))
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW)

    assert decided(NOW, "eli", "maya") == set()


@pytest.mark.parametrize("status", [Conversation.Status.REQUESTED, Conversation.Status.CANCELLED])
def test_only_a_confirmed_conversation_is_upcoming(team, employee, manager, status):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(hours=3),
                        status=status)

    assert decided(NOW) == set()


def test_turning_upcoming_off_is_honoured_for_that_participant(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(hours=3))
    Person.objects.filter(pk=manager.pk).update(remind_upcoming=False)

    assert decided(NOW) == {("upcoming", "eli", "2026-03-03T13:00Z")}


# --- notes -------------------------------------------------------------------------------------------------------


def test_24_hours_after_a_conversation_not_marked_held_the_partner_is_reminded(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW - datetime.timedelta(hours=24, minutes=30))

    assert decided(NOW) == {("notes", "maya", "2026-03-02T10:00Z")}


def test_less_than_24_hours_after_the_end_there_is_no_notes_reminder(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW - datetime.timedelta(hours=24, minutes=29))

    assert decided(NOW) == set()


@pytest.mark.parametrize("status", [Conversation.Status.COMPLETED, Conversation.Status.NO_SHOW])
def test_a_conversation_marked_held_or_no_show_needs_no_notes_reminder(team, employee, manager, status):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW - datetime.timedelta(days=2),
                        status=status)

    assert decided(NOW, "maya") == set()


def test_a_conversation_unmarked_for_two_weeks_is_no_longer_reminded(team, employee, manager):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOW - datetime.timedelta(days=14, hours=1))

    assert decided(NOW, "maya") == set()


# --- actions -----------------------------------------------------------------------------------------------------


def action(conversation, due_on, **fields):
    return ActionItemFactory(conversation=conversation, due_on=due_on, **fields)


def test_an_action_due_within_two_days_reminds_its_owner_and_overdue_again(team, employee, manager):
    conversation = held(employee, manager, days_ago(10))
    action(conversation, datetime.date(2026, 3, 5))
    action(conversation, datetime.date(2026, 3, 6))
    action(conversation, datetime.date(2026, 3, 3), owner_kind=ActionItem.Owner.PARTNER, owner=manager)
    action(conversation, datetime.date(2026, 3, 2))

    assert decided(NOW) == {("action_due", "eli", "2026-03-05"), ("action_due", "maya", "2026-03-03"),
                            ("action_overdue", "eli", "2026-03-02")}


def test_a_done_action_or_one_without_a_date_is_not_reminded(team, employee, manager):
    conversation = held(employee, manager, days_ago(10))
    action(conversation, datetime.date(2026, 3, 1), done_at=NOW - datetime.timedelta(days=3))
    action(conversation, None)

    assert decided(NOW) == set()


def test_an_action_is_due_by_its_owners_calendar(team, employee, manager):
    # 11:30 UTC on Tuesday is 00:30 on Wednesday in Auckland: Tuesday's action is overdue there, due in London.
    action(held(employee, manager, days_ago(10)), datetime.date(2026, 3, 3))
    half_past_eleven = at("2026-03-03T11:30:00+00:00")

    assert decided(half_past_eleven) == {("action_due", "eli", "2026-03-03")}
    Person.objects.filter(pk=employee.pk).update(timezone="Pacific/Auckland")
    assert decided(half_past_eleven) == {("action_overdue", "eli", "2026-03-03")}


def test_actions_the_organisation_owns_remind_every_hr_person_once_per_due_date(team, employee, manager, hr):
    make_hr(PersonFactory(user__username="hugo", start_date=TODAY - datetime.timedelta(days=30)))
    conversation = held(employee, manager, days_ago(10))
    for _ in range(3):
        action(conversation, datetime.date(2026, 2, 20), owner_kind=ActionItem.Owner.ORGANISATION, owner=None)

    assert decided(NOW) == {("action_overdue", "hana", "2026-02-20"), ("action_overdue", "hugo", "2026-02-20")}


def test_turning_action_reminders_off_or_leaving_stops_them(team, employee, manager, hr):
    conversation = held(employee, manager, days_ago(10))
    action(conversation, datetime.date(2026, 3, 4))
    action(conversation, datetime.date(2026, 3, 4), owner_kind=ActionItem.Owner.ORGANISATION, owner=None)
    Person.objects.filter(pk=employee.pk).update(remind_actions=False)
    Person.objects.filter(pk=hr.pk).update(is_active=False)

    assert decided(NOW) == set()


# --- weekly digest -----------------------------------------------------------------------------------------------


@pytest.fixture
def digest_on(team, manager):
    Person.objects.filter(pk=manager.pk).update(weekly_digest=True)


def test_the_digest_is_due_from_monday_0900_in_the_managers_timezone(digest_on):
    monday_nine_london = at("2026-03-02T09:00:00+00:00")

    assert decided(monday_nine_london - datetime.timedelta(seconds=1), "maya") == set()
    assert decided(monday_nine_london, "maya") == {("digest", "maya", "2026-W10")}


def test_a_manager_in_new_york_gets_the_digest_at_0900_new_york_time(digest_on, manager):
    Person.objects.filter(pk=manager.pk).update(timezone="America/New_York")

    assert decided(at("2026-03-02T13:59:00+00:00"), "maya") == set()
    assert decided(at("2026-03-02T14:00:00+00:00"), "maya") == {("digest", "maya", "2026-W10")}


def test_the_digest_stays_due_for_the_rest_of_the_week_so_an_outage_delays_it(digest_on):
    assert decided(at("2026-03-08T22:00:00+00:00"), "maya") == {("digest", "maya", "2026-W10")}
    assert decided(at("2026-03-09T08:00:00+00:00"), "maya") == set()


def test_a_manager_without_active_reports_gets_no_digest(digest_on, employee):
    Person.objects.filter(pk=employee.pk).update(is_active=False)

    assert decided(at("2026-03-02T10:00:00+00:00"), "maya") == set()


def test_a_turned_off_digest_still_comes_while_a_report_is_30_days_overdue(team, employee, manager):
    Person.objects.filter(pk=manager.pk).update(remind_overdue=False)
    monday = at("2026-03-02T10:00:00+00:00")  # today is 2 March: 119 days after the last one is 29 days overdue
    conversation = held(employee, manager, monday - datetime.timedelta(days=119))

    assert decided(monday, "maya") == set()
    conversation.starts_at -= datetime.timedelta(days=1)
    conversation.ends_at -= datetime.timedelta(days=1)
    conversation.save()
    assert decided(monday, "maya") == {("digest", "maya", "2026-W10")}
