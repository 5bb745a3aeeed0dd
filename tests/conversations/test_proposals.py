"""A manager proposes a time for a report's next conversation; the report accepts it or declines with a reason."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations.models import Conversation, Notification
from conversations.proposals import (
    accept_proposal,
    decline_proposal,
    free_times,
    outside_working_hours,
    propose_conversation,
    suggested_start,
)
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 6, 15, tzinfo=UTC)  # a Friday
MONDAY_TEN = datetime.datetime(2026, 3, 9, 10, tzinfo=UTC)


def propose(manager, employee, starts_at=MONDAY_TEN, minutes=45):
    return propose_conversation(manager=manager, employee=employee, starts_at=starts_at, minutes=minutes,
                                location="Room 4", kind=Conversation.Kind.STANDALONE, now=NOW)


def test_a_proposal_holds_the_time_and_asks_the_employee(manager, employee):
    conversation = propose(manager, employee)

    assert (conversation.status, conversation.relation, conversation.booked_by) == ("requested", "manager", manager)
    assert conversation.ends_at == datetime.datetime(2026, 3, 9, 10, 45, tzinfo=UTC)
    notification = Notification.objects.get(recipient=employee)
    assert notification.title == "Maya Okafor proposed a career conversation on Mon 9 Mar 2026, 10:00 GMT"


def test_the_first_suggestion_is_the_next_working_day_at_ten(manager):
    assert suggested_start(manager=manager, now=NOW) == MONDAY_TEN


def test_a_time_in_the_past_is_refused(manager, employee):
    with pytest.raises(ValidationError, match="in the future"):
        propose(manager, employee, starts_at=NOW - datetime.timedelta(hours=1))


def test_a_time_more_than_a_year_ahead_is_refused(manager, employee):
    with pytest.raises(ValidationError, match="within the next year"):
        propose(manager, employee, starts_at=datetime.datetime(2027, 3, 8, 10, tzinfo=UTC))
    assert not Conversation.objects.exists()


def test_a_time_that_overlaps_either_persons_conversation_is_refused(manager, employee, mentor):
    ConversationFactory(employee=employee, partner=mentor, starts_at=MONDAY_TEN + datetime.timedelta(minutes=30))

    with pytest.raises(ValidationError, match="Eli Brandt already has a conversation at that time"):
        propose(manager, employee)
    assert not Conversation.objects.filter(status="requested").exists()


def test_accepting_confirms_and_tells_the_manager(manager, employee):
    conversation = propose(manager, employee)

    accept_proposal(conversation=conversation)

    assert conversation.status == Conversation.Status.CONFIRMED
    assert Notification.objects.filter(recipient=manager).count() == 1
    with pytest.raises(ValidationError, match="already been answered"):
        accept_proposal(conversation=conversation)


def test_accepting_sends_both_people_the_calendar_invitation(manager, employee, django_capture_on_commit_callbacks,
                                                             mailoutbox):
    conversation = propose(manager, employee)

    with django_capture_on_commit_callbacks(execute=True):
        accept_proposal(conversation=conversation)

    assert sorted(message.to[0] for message in mailoutbox) == ["eli@example.com", "maya@example.com"]
    assert all("METHOD:REQUEST" in message.attachments[0].content.decode() for message in mailoutbox)


def test_declining_needs_a_reason_and_frees_the_time(manager, employee):
    conversation = propose(manager, employee)
    with pytest.raises(ValidationError):
        decline_proposal(conversation=conversation, reason=" ", now=NOW)

    decline_proposal(conversation=conversation, reason="I am on leave that week", now=NOW)

    assert (conversation.status, conversation.cancelled_by, conversation.change_reason) == (
        "cancelled", employee, "I am on leave that week")
    assert propose(manager, employee).status == "requested"


@pytest.fixture
def early_2099():
    """The page tests propose times in 2099 and read the clock: it shows the first Monday of that year."""
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, tzinfo=UTC), tick=False):
        yield


def test_proposing_from_the_page_reads_the_time_in_the_managers_timezone(client, manager, employee, early_2099):
    manager.timezone = "America/New_York"
    manager.save()
    client.force_login(manager.user)

    response = client.post(reverse("conversations:propose", args=[employee.pk]),
                           {"date": "2099-01-12", "time": "10:00", "minutes": "45", "location": "",
                            "kind": "standalone"})

    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("conversations:notes", args=[conversation.pk])
    assert conversation.starts_at == datetime.datetime(2099, 1, 12, 15, 0, tzinfo=UTC)


def test_a_time_skipped_when_the_clocks_go_forward_is_refused_next_to_the_time(client, manager, employee,
                                                                                early_2099):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:propose", args=[employee.pk]),
                           {"date": "2099-03-29", "time": "01:30", "minutes": "45", "location": "",
                            "kind": "standalone"})

    assert response.status_code == 400
    assert "That time does not exist on that day" in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_clash_from_the_page_is_shown_and_nothing_is_saved(client, manager, employee, mentor, early_2099):
    ConversationFactory(employee=employee, partner=mentor,
                        starts_at=datetime.datetime(2099, 3, 9, 10, tzinfo=UTC))
    client.force_login(manager.user)

    response = client.post(reverse("conversations:propose", args=[employee.pk]),
                           {"date": "2099-03-09", "time": "10:00", "minutes": "45", "location": "",
                            "kind": "standalone"})

    assert response.status_code == 400
    assert "Eli Brandt already has a conversation at that time." in response.content.decode()
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("timezone_name, date, time", [
    ("Europe/London", "9999-12-31", "23:30"),
    ("America/New_York", "9999-12-31", "23:30"),
    ("Asia/Singapore", "0001-01-01", "00:00"),
])
def test_a_date_at_the_end_of_the_calendar_is_refused_next_to_the_date(client, manager, employee, timezone_name,
                                                                         date, time):
    manager.timezone = timezone_name
    manager.save()
    client.force_login(manager.user)

    response = client.post(reverse("conversations:propose", args=[employee.pk]),
                           {"date": date, "time": time, "minutes": "90", "location": "", "kind": "standalone"})

    assert response.status_code == 400
    assert "Choose a time" in response.content.decode()
    assert not Conversation.objects.exists()


def test_the_employee_declines_from_the_workspace_with_a_reason(client, manager, employee):
    conversation = ConversationFactory(employee=employee, partner=manager, status="requested", booked_by=manager,
                                       starts_at=datetime.datetime(2099, 3, 9, 10, tzinfo=UTC))
    client.force_login(employee.user)

    missing = client.post(reverse("conversations:answer_proposal", args=[conversation.pk]), {"answer": "decline"})
    declined = client.post(reverse("conversations:answer_proposal", args=[conversation.pk]),
                           {"answer": "decline", "reason": "On leave"})

    assert missing.status_code == 400
    assert "Say why, so that a better time can be found." in missing.content.decode()
    assert declined.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CANCELLED


def test_the_free_times_offered_are_the_managers_slots_neither_person_has_taken(manager, employee, mentor):
    ConversationFactory(employee=employee, partner=mentor, starts_at=MONDAY_TEN)  # 10:00 to 10:30

    starts = [slot.starts_at for slot in free_times(manager=manager, employee=employee, now=NOW)]

    # Maya's half-hour slots from 09:00 in London (UTC in March), 12 hours' notice after Friday 15:00; Eli's 10:00
    # is left out, and three a day are offered.
    assert starts[:4] == [datetime.datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
                          datetime.datetime(2026, 3, 9, 9, 30, tzinfo=UTC),
                          datetime.datetime(2026, 3, 9, 10, 30, tzinfo=UTC),
                          datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)]
    assert len(starts) == 12


@pytest.mark.parametrize("starts_at, minutes, warning", [
    (datetime.datetime(2026, 3, 8, 10, tzinfo=UTC), 45,
     "That is Sunday 10:00 for Eli Brandt (Europe/London): their weekend."),
    (datetime.datetime(2026, 3, 9, 3, tzinfo=UTC), 45,
     "That is Monday 03:00 for Eli Brandt (Europe/London): outside usual working hours (08:00–18:00)."),
    (datetime.datetime(2026, 3, 9, 17, 30, tzinfo=UTC), 45,
     "That is Monday 17:30 for Eli Brandt (Europe/London): outside usual working hours (08:00–18:00)."),
    (datetime.datetime(2026, 3, 9, 17, 15, tzinfo=UTC), 45, ""),
])
def test_a_time_outside_the_employees_working_week_is_named(employee, starts_at, minutes, warning):
    assert outside_working_hours(employee=employee, starts_at=starts_at, minutes=minutes) == warning


def test_the_page_offers_free_times_with_the_employees_local_time_and_a_chosen_one_fills_the_form(
        client, manager, employee, early_2099):
    employee.timezone = "America/New_York"
    employee.save()
    client.force_login(manager.user)
    url = reverse("conversations:propose", args=[employee.pk])

    page = client.get(url).content.decode()

    assert '<a href="?slot=2099-01-06T09:00Z">Tue 6 Jan, 09:00</a> <span class="text-body-secondary">' \
           '(Tue 04:00 for Eli)</span>' in page
    chosen = client.get(url, {"slot": "2099-01-07T14:00Z"}).content.decode()
    assert 'value="2099-01-07"' in chosen and 'value="14:00"' in chosen


def test_a_time_on_the_employees_weekend_asks_for_confirmation_before_it_is_proposed(client, manager, employee,
                                                                                    early_2099):
    client.force_login(manager.user)
    url = reverse("conversations:propose", args=[employee.pk])
    sunday_three = {"date": "2099-01-11", "time": "03:00", "minutes": "45", "location": "", "kind": "standalone"}

    warned = client.post(url, sunday_three)

    assert warned.status_code == 200
    assert "That is Sunday 03:00 for Eli Brandt (Europe/London): their weekend." in warned.content.decode()
    assert 'value="outside-hours">Propose it anyway</button>' in warned.content.decode()
    assert not Conversation.objects.exists()

    confirmed = client.post(url, {**sunday_three, "confirm": "outside-hours"})

    assert confirmed.status_code == 302
    assert Conversation.objects.get().starts_at == datetime.datetime(2099, 1, 11, 3, tzinfo=UTC)
