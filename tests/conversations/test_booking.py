"""Booking, rescheduling and cancelling: what is refused (with which message, nothing saved), what is recorded,
and the invitations sent after commit."""

import datetime
import logging
from unittest import mock

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from conversations import booking
from conversations.models import Conversation, DayOff, Relation
from tests.support.factories import AvailabilityFactory, ConversationFactory, PersonFactory, make_hr, weekday_windows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday
TUESDAY_TEN = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def book(employee, partner, starts_at=TUESDAY_TEN, **kwargs):
    return booking.book_conversation(employee=employee, partner=partner, starts_at=starts_at, now=NOW, **kwargs)


def refused(employee, partner, starts_at, **kwargs):
    """The error a refused booking raises, having checked that nothing was saved."""
    before = Conversation.objects.count()
    with pytest.raises(booking.BookingError) as caught:
        book(employee, partner, starts_at, **kwargs)
    assert Conversation.objects.count() == before
    return caught.value


def test_booking_the_manager_confirms_at_once_with_the_relation_recorded(manager, employee):
    conversation = book(employee, manager, location="Room 4 ", kind=Conversation.Kind.REVIEW)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CONFIRMED
    assert conversation.relation == Relation.MANAGER
    assert (conversation.starts_at, conversation.ends_at) == (TUESDAY_TEN, at(2026, 3, 3, 10, 30))
    assert conversation.location == "Room 4"
    assert conversation.kind == Conversation.Kind.REVIEW
    assert conversation.booked_by == employee
    assert conversation.sequence == 0


def test_standalone_is_the_default_kind(manager, employee):
    assert book(employee, manager).kind == Conversation.Kind.STANDALONE


def test_booking_invites_both_people_once_committed(manager, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        book(employee, manager)

    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["eli@example.com", "maya@example.com"]


def test_a_refused_booking_queues_no_invitation(manager, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(booking.BookingError):
            book(employee, manager, at(2026, 3, 3, 7, 0))

    assert callbacks == []
    assert mail.outbox == []


def test_the_booking_stands_when_the_broker_is_down(manager, employee, django_capture_on_commit_callbacks, caplog):
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("conversations.tasks.send_conversation_invitation.delay", side_effect=down):
        with caplog.at_level(logging.ERROR, logger="conversations.booking"):
            with django_capture_on_commit_callbacks(execute=True):
                conversation = book(employee, manager)

    assert Conversation.objects.get().pk == conversation.pk
    assert f"invitation for conversation {conversation.pk} (sequence 0) not queued" in caplog.text


def test_a_time_in_the_past_is_refused(manager, employee):
    error = refused(employee, manager, at(2026, 3, 2, 7, 30))

    assert error.code == "past"
    assert error.message == "That time is in the past. Please choose a time that is still to come."


def test_a_time_within_the_notice_is_refused(manager, employee):
    error = refused(employee, manager, at(2026, 3, 2, 16, 0))

    assert error.message == "Maya Okafor needs at least 12 hours' notice. Please choose a later time."


def test_a_time_outside_the_windows_is_refused(manager, employee):
    early = refused(employee, manager, at(2026, 3, 3, 8, 30))
    off_grid = refused(employee, manager, at(2026, 3, 3, 10, 10))
    saturday = refused(employee, manager, at(2026, 3, 7, 10, 0))

    for error in (early, off_grid, saturday):
        assert error.code == "outside_windows"
        assert error.message == "That time is outside Maya Okafor's availability."


def test_a_time_beyond_the_horizon_is_refused(manager, employee):
    error = refused(employee, manager, at(2026, 4, 7, 10, 0))

    assert error.message == "Maya Okafor can be booked up to 4 weeks ahead."


def test_a_day_off_is_refused(manager, employee):
    DayOff.objects.create(person=manager, date=datetime.date(2026, 3, 3))

    error = refused(employee, manager, TUESDAY_TEN)

    assert error.message == "Maya Okafor is not available on Tuesday 3 March (a day off)."


def test_a_partner_who_left_is_refused(manager, employee):
    manager.is_active = False
    manager.save()

    error = refused(employee, manager, TUESDAY_TEN)

    assert error.message == "Maya Okafor has left the organisation and cannot be booked."


def test_a_partner_who_leaves_while_the_page_is_open_is_refused_under_the_lock(manager, employee):
    stale = type(manager).objects.get(pk=manager.pk)
    type(manager).objects.filter(pk=manager.pk).update(is_active=False, left_on=datetime.date(2026, 3, 1))

    error = refused(employee, stale, TUESDAY_TEN)

    assert error.code == "partner_left"
    assert error.message == "Maya Okafor has left the organisation and cannot be booked."


def test_someone_who_does_not_offer_conversations_cannot_be_booked(employee, stranger):
    AvailabilityFactory(person=stranger)
    weekday_windows(stranger)

    error = refused(employee, stranger, TUESDAY_TEN)

    assert error.message == "Sam Ivers does not offer career conversations."


def test_booking_a_taken_slot_says_it_was_just_taken(manager, employee):
    book(PersonFactory(manager=manager), manager)

    error = refused(employee, manager, TUESDAY_TEN)

    assert error.code == "taken"
    assert error.message == "That time was just taken. Please choose another time."
    assert Conversation.objects.count() == 1


def test_overlapping_the_employees_other_conversation_is_refused_naming_it(manager, employee, mentor):
    book(employee, mentor, at(2026, 3, 3, 10, 0))

    error = refused(employee, manager, at(2026, 3, 3, 10, 0))

    assert error.message == "You already have a conversation with Mina Sato at that time."
    assert Conversation.objects.count() == 1


def test_relations_follow_the_organisation_chart_where_it_says_one(manager, employee):
    director = PersonFactory(user__first_name="Dee", offers_conversations=True)
    manager.manager = director
    manager.save()
    AvailabilityFactory(person=director)
    weekday_windows(director)
    hr_partner = make_hr(PersonFactory(offers_conversations=True))
    AvailabilityFactory(person=hr_partner)
    weekday_windows(hr_partner)
    peer = PersonFactory(manager=manager, offers_conversations=True)
    AvailabilityFactory(person=peer)
    weekday_windows(peer)
    mentor = PersonFactory(offers_conversations=True)
    AvailabilityFactory(person=mentor)
    weekday_windows(mentor)

    # A claimed relation does not override the chart; a free one is the employee's to say.
    skip = book(employee, director, at(2026, 3, 3, 9, 0), relation=Relation.MENTOR)
    hr = book(employee, hr_partner, at(2026, 3, 3, 11, 0))
    suggested_peer = book(employee, peer, at(2026, 3, 3, 12, 0))
    chosen_other = book(employee, mentor, at(2026, 3, 3, 13, 0), relation=Relation.OTHER)
    claimed_manager = book(employee, mentor, at(2026, 3, 3, 14, 0), relation=Relation.MANAGER)

    assert skip.relation == Relation.SKIP_LEVEL
    assert hr.relation == Relation.HR
    assert suggested_peer.relation == Relation.PEER
    assert chosen_other.relation == Relation.OTHER
    assert claimed_manager.relation == Relation.MENTOR


def test_rescheduling_moves_it_raises_the_sequence_and_keeps_the_reason(manager, employee):
    conversation = book(employee, manager)

    moved = booking.reschedule_conversation(conversation=conversation, by=manager, starts_at=at(2026, 3, 4, 14, 0),
                                            reason="A clash with the board meeting", now=NOW)

    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at) == (at(2026, 3, 4, 14, 0), at(2026, 3, 4, 14, 30))
    assert moved.sequence == 1
    assert moved.change_reason == "A clash with the board meeting"
    assert moved.status == Conversation.Status.CONFIRMED
    assert moved.uid == conversation.uid


def test_rescheduling_to_the_slot_next_to_its_own_time_is_allowed(manager, employee):
    settings = manager.availability
    settings.slot_minutes = 60
    settings.save()
    conversation = book(employee, manager, at(2026, 3, 3, 10, 0))

    moved = booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=at(2026, 3, 3, 11, 0),
                                            reason="Later suits me better", now=NOW)

    assert moved.starts_at == at(2026, 3, 3, 11, 0)


def test_rescheduling_needs_a_reason_and_a_free_new_time(manager, employee):
    conversation = book(employee, manager)
    book(PersonFactory(manager=manager), manager, at(2026, 3, 3, 11, 0))

    with pytest.raises(booking.BookingError) as no_reason:
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=at(2026, 3, 3, 9, 0),
                                        reason="  ", now=NOW)
    with pytest.raises(booking.BookingError) as taken:
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=at(2026, 3, 3, 11, 0),
                                        reason="Clash", now=NOW)
    with pytest.raises(booking.BookingError) as same:
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=TUESDAY_TEN,
                                        reason="Clash", now=NOW)

    assert (no_reason.value.field, no_reason.value.message) == ("reason",
                                                                 "Please say why, so that the other person knows.")
    assert taken.value.message == "That time was just taken. Please choose another time."
    assert same.value.message == "That is already the time of this conversation."
    conversation.refresh_from_db()
    assert (conversation.starts_at, conversation.sequence) == (TUESDAY_TEN, 0)


def test_the_partner_rescheduling_into_their_own_busy_time_is_told_so(manager, employee, mentor):
    conversation = book(employee, manager)
    booking.book_conversation(employee=manager, partner=mentor, starts_at=at(2026, 3, 3, 15, 0), now=NOW)

    with pytest.raises(booking.BookingError) as caught:
        booking.reschedule_conversation(conversation=conversation, by=manager, starts_at=at(2026, 3, 3, 15, 0),
                                        reason="Clash", now=NOW)

    assert caught.value.message == "You already have a conversation with Mina Sato at that time."


def test_the_partner_is_not_told_whom_the_employee_meets_instead(manager, employee, mentor):
    conversation = book(employee, manager)
    book(employee, mentor, at(2026, 3, 3, 15, 0))

    with pytest.raises(booking.BookingError) as caught:
        booking.reschedule_conversation(conversation=conversation, by=manager, starts_at=at(2026, 3, 3, 15, 0),
                                        reason="Clash", now=NOW)

    assert caught.value.message == "Eli Brandt is not free at that time."


def test_cancelling_records_who_why_and_when_and_frees_the_slot(manager, employee):
    conversation = book(employee, manager)
    cancelled_at = NOW + datetime.timedelta(hours=1)

    booking.cancel_conversation(conversation=conversation, by=manager, reason="Off sick", now=cancelled_at)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CANCELLED
    assert (conversation.cancelled_by, conversation.cancelled_at) == (manager, cancelled_at)
    assert conversation.change_reason == "Off sick"
    assert conversation.sequence == 1
    again = book(PersonFactory(manager=manager), manager)
    assert again.starts_at == TUESDAY_TEN


def test_cancelling_twice_or_rescheduling_a_cancelled_conversation_is_refused(manager, employee):
    conversation = book(employee, manager)
    booking.cancel_conversation(conversation=conversation, by=employee, reason="Changed teams", now=NOW)

    with pytest.raises(booking.BookingError) as twice:
        booking.cancel_conversation(conversation=conversation, by=employee, reason="Again", now=NOW)
    with pytest.raises(booking.BookingError) as moved:
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=at(2026, 3, 4, 10, 0),
                                        reason="Oops", now=NOW)

    assert twice.value.message == "This conversation is already cancelled."
    assert moved.value.message == "This conversation is already cancelled."
    conversation.refresh_from_db()
    assert conversation.sequence == 1


def test_each_change_sends_both_people_its_own_invitation(manager, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
    with django_capture_on_commit_callbacks(execute=True):
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=at(2026, 3, 5, 9, 0),
                                        reason="Train strike", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel_conversation(conversation=conversation, by=manager, reason="Team offsite", now=NOW)

    subjects = [(message.to[0], message.subject.split(":")[0]) for message in mail.outbox]
    assert subjects == [
        ("eli@example.com", "Invitation"), ("maya@example.com", "Invitation"),
        ("eli@example.com", "Moved"), ("maya@example.com", "Moved"),
        ("eli@example.com", "Cancelled"), ("maya@example.com", "Cancelled"),
    ]


def test_the_directory_lists_people_who_offer_conversations_but_not_the_manager_or_oneself(manager, employee,
                                                                                         mentor, stranger):
    manager.offers_conversations = True
    manager.save()
    employee.offers_conversations = True
    employee.save()
    left = PersonFactory(offers_conversations=True, is_active=False)

    names = [person.name for person in booking.partner_directory(employee=employee)]

    assert names == ["Mina Sato"]
    assert left.name not in names


def test_the_directory_search_matches_every_word_in_name_title_or_department(employee, mentor):
    PersonFactory(user__first_name="Mina", user__last_name="Gold", job_title="Designer", offers_conversations=True,
                  department__name="Design")

    def search(query):
        return [person.name for person in booking.partner_directory(employee=employee, query=query)]

    assert search("mina") == ["Mina Gold", "Mina Sato"]
    assert search("mina principal") == ["Mina Sato"]
    assert search("design") == ["Mina Gold"]
    assert search("nobody") == []


def test_the_coming_conversations_of_someone_who_left_are_called_off_and_both_calendars_told(
        employee, manager, mentor, django_capture_on_commit_callbacks, mailoutbox):
    coming = ConversationFactory(employee=employee, partner=manager, starts_at=NOW + datetime.timedelta(days=2))
    with_mentor = ConversationFactory(employee=employee, partner=mentor, starts_at=NOW + datetime.timedelta(days=3))
    past = ConversationFactory(employee=employee, partner=manager, starts_at=NOW - datetime.timedelta(days=30),
                               status=Conversation.Status.COMPLETED)

    with django_capture_on_commit_callbacks(execute=True):
        called_off = booking.cancel_for_leavers(person_ids=[employee.pk], now=NOW)

    assert called_off == 2
    for conversation in (coming, with_mentor):
        conversation.refresh_from_db()
        assert (conversation.status, conversation.sequence) == (Conversation.Status.CANCELLED, 1)
        assert conversation.change_reason == "Called off because a participant has left the organisation."
    past.refresh_from_db()
    assert past.status == Conversation.Status.COMPLETED
    assert sorted(message.to[0] for message in mailoutbox) == [
        "eli@example.com", "eli@example.com", "maya@example.com", "mina@example.com"]
    assert all("METHOD:CANCEL" in message.attachments[0].content.decode() for message in mailoutbox)
