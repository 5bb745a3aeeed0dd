"""Invitations go out once: with the broker up at once, with it down from the sweep once it is back."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from conversations import booking, invitation_outbox, tasks
from conversations.availability import free_slots
from conversations.models import Conversation

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=2)


def book(employee, manager, index=0):
    slot = free_slots(partner=manager, employee=employee, now=timezone.now())[index]
    return booking.book_conversation(employee=employee, partner=manager, starts_at=slot.starts_at, now=timezone.now())


@pytest.fixture
def broker_down():
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    with mock.patch.object(tasks.send_conversation_invitation, "delay", unreachable):
        yield


def test_a_booking_is_invited_at_once_and_nothing_is_left_pending(employee, manager, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)

    assert sorted(message.to[0] for message in mailoutbox) == ["eli@example.com", "maya@example.com"]
    conversation.refresh_from_db()
    assert (conversation.invitation_pending, conversation.invitation_claimed_at) == (None, None)
    assert invitation_outbox.send_missed_invitations(now=timezone.now() + LATER) == (0, 0)
    assert len(mailoutbox) == 2


def test_with_the_broker_down_the_sweep_sends_the_invitation_once_afterwards(
        employee, manager, mailoutbox, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
    assert mailoutbox == []
    conversation.refresh_from_db()
    assert conversation.invitation_pending == 0

    # Within the grace period the queued task may still be on its way: the sweep leaves it alone.
    assert invitation_outbox.send_missed_invitations(now=timezone.now()) == (0, 0)
    assert invitation_outbox.send_missed_invitations(now=timezone.now() + LATER) == (2, 0)
    assert invitation_outbox.send_missed_invitations(now=timezone.now() + 2 * LATER) == (0, 0)
    assert sorted(message.to[0] for message in mailoutbox) == ["eli@example.com", "maya@example.com"]


def test_only_the_latest_change_is_sent_when_several_were_missed(employee, manager, mailoutbox, broker_down,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
        new_start = free_slots(partner=manager, employee=employee, now=timezone.now(),
                               exclude_pk=conversation.pk)[5].starts_at
        booking.reschedule_conversation(conversation=conversation, by=employee, starts_at=new_start,
                                        reason="Clash with a release", now=timezone.now())

    assert invitation_outbox.send_missed_invitations(now=timezone.now() + LATER) == (2, 0)
    assert all("SEQUENCE:1" in message.attachments[0].content.decode() for message in mailoutbox)


def test_two_senders_of_the_same_invitation_send_it_once(employee, manager, mailoutbox, broker_down,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
    now = timezone.now()

    first = invitation_outbox.send_pending_invitation(conversation_id=conversation.pk, sequence=0, now=now)
    second = invitation_outbox.send_pending_invitation(conversation_id=conversation.pk, sequence=0, now=now)

    assert (first, second, len(mailoutbox)) == (2, 0, 2)


def test_a_claim_left_by_a_dead_sender_is_taken_over_after_ten_minutes(employee, manager, mailoutbox, broker_down,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
    died_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(invitation_claimed_at=died_at)

    assert invitation_outbox.send_missed_invitations(now=died_at + datetime.timedelta(minutes=9)) == (0, 0)
    assert invitation_outbox.send_missed_invitations(now=died_at + datetime.timedelta(minutes=11)) == (2, 0)


def test_a_failed_send_stays_pending_for_the_next_sweep(employee, manager, mailoutbox, broker_down,
                                                        django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        conversation = book(employee, manager)
    settings.EMAIL_BACKEND = "tests.conversations.test_invitation_outbox.RefusingBackend"

    assert invitation_outbox.send_missed_invitations(now=timezone.now() + LATER) == (0, 1)

    conversation.refresh_from_db()
    assert (conversation.invitation_pending, conversation.invitation_claimed_at) == (0, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitation_outbox.send_missed_invitations(now=timezone.now() + LATER) == (2, 0)


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
