"""Double booking is impossible: bookings racing in real threads, each on its own PostgreSQL connection."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conversations import booking, proposals
from conversations.models import AvailabilityWindow, Conversation
from tests.support.factories import AvailabilityFactory, PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def race(*attempts):
    """Run the booking attempts in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(index, attempt):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = attempt()
        except (booking.BookingError, ValidationError) as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def partner_with_windows(start, end, **person):
    partner = PersonFactory(offers_conversations=True, **person)
    AvailabilityFactory(person=partner, slot_minutes=30)
    for day in range(5):
        AvailabilityWindow.objects.create(person=partner, weekday=day, start_time=start, end_time=end)
    return partner


def test_two_employees_booking_the_same_slot_at_the_same_moment_lets_exactly_one_through():
    partner = partner_with_windows(datetime.time(9), datetime.time(17), user__first_name="Maya")
    first, second = PersonFactory(), PersonFactory()

    for round_number in range(8):
        starts_at = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC) + datetime.timedelta(minutes=30 * round_number)
        outcomes = race(
            lambda s=starts_at: booking.book_conversation(employee=first, partner=partner, starts_at=s, now=NOW),
            lambda s=starts_at: booking.book_conversation(employee=second, partner=partner, starts_at=s, now=NOW),
        )

        booked = [outcome for outcome in outcomes if isinstance(outcome, Conversation)]
        refused = [outcome for outcome in outcomes if isinstance(outcome, booking.BookingError)]
        assert len(booked) == 1 and len(refused) == 1, outcomes
        assert refused[0].message == "That time was just taken. Please choose another time."
        assert Conversation.objects.filter(partner=partner, starts_at=starts_at).count() == 1


def test_one_employee_booking_two_partners_at_overlapping_times_at_once_gets_one():
    """The starts differ (10:00 and 10:15), so no unique constraint can help: only the lock on the employee."""
    on_the_hour = partner_with_windows(datetime.time(9), datetime.time(17))
    quarter_past = partner_with_windows(datetime.time(9, 15), datetime.time(17, 15))
    employee = PersonFactory()

    for day in range(3, 7):
        outcomes = race(
            lambda d=day: booking.book_conversation(
                employee=employee, partner=on_the_hour,
                starts_at=datetime.datetime(2026, 3, d, 10, 0, tzinfo=UTC), now=NOW),
            lambda d=day: booking.book_conversation(
                employee=employee, partner=quarter_past,
                starts_at=datetime.datetime(2026, 3, d, 10, 15, tzinfo=UTC), now=NOW),
        )

        booked = [outcome for outcome in outcomes if isinstance(outcome, Conversation)]
        assert len(booked) == 1, outcomes
        refused = next(outcome for outcome in outcomes if isinstance(outcome, booking.BookingError))
        assert refused.message.startswith("You already have a conversation with ")
    assert Conversation.objects.filter(employee=employee).count() == 4


def test_a_booking_and_a_proposal_for_the_same_slot_of_a_manager_at_the_same_moment_let_exactly_one_through():
    manager = partner_with_windows(datetime.time(9), datetime.time(17), user__first_name="Maya")
    report = PersonFactory(manager=manager, user__first_name="Eli")
    colleague = PersonFactory()

    for round_number in range(8):
        starts_at = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC) + datetime.timedelta(minutes=30 * round_number)
        outcomes = race(
            lambda s=starts_at: booking.book_conversation(employee=colleague, partner=manager, starts_at=s, now=NOW),
            lambda s=starts_at: proposals.propose_conversation(
                manager=manager, employee=report, starts_at=s, minutes=30, location="", kind="standalone", now=NOW),
        )

        held = [outcome for outcome in outcomes if isinstance(outcome, Conversation)]
        assert len(held) == 1, outcomes
        booked, proposed = outcomes
        if held[0] is booked:
            assert proposed.message_dict == {"starts_at": ["You already have a conversation at that time."]}
        else:
            assert booked.message == "That time was just taken. Please choose another time."
        assert Conversation.objects.filter(partner=manager, starts_at=starts_at).count() == 1
