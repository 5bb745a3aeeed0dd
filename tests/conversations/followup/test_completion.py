"""Completing a conversation: the partner marks it held or a no-show once it has started; the employee reflects
and acknowledges; the employee's next due date follows from the held conversation and their cadence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversations.followup.completion import mark_held, next_due_for, reflect
from conversations.models import Conversation, Notification
from conversations.regularity import Regularity
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
STARTS_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager, starts_at=STARTS_AT)


def test_marking_held_records_when_and_tells_the_employee(conversation, employee):
    mark_held(conversation=conversation, outcome=Conversation.Status.COMPLETED,
              now=datetime.datetime(2026, 3, 2, 10, 40, tzinfo=UTC))

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.COMPLETED
    assert conversation.held_at == datetime.datetime(2026, 3, 2, 10, 40, tzinfo=UTC)
    notification = Notification.objects.get(recipient=employee)
    assert notification.title == "Maya Okafor marked your career conversation as held"
    assert notification.url == reverse("conversations:notes", args=[conversation.pk])


def test_the_next_conversation_is_due_a_cadence_after_the_held_one(conversation, employee):
    now = datetime.datetime(2026, 3, 2, 10, 40, tzinfo=UTC)
    mark_held(conversation=conversation, outcome=Conversation.Status.COMPLETED, now=now)

    due, status = next_due_for(employee, now=now)

    assert due == datetime.date(2026, 5, 31)
    assert status == Regularity.ON_TRACK


def test_a_no_show_does_not_count_as_a_held_conversation(conversation, employee):
    now = datetime.datetime(2026, 3, 2, 10, 40, tzinfo=UTC)
    mark_held(conversation=conversation, outcome=Conversation.Status.NO_SHOW, now=now)

    due, status = next_due_for(employee, now=now)

    assert due == datetime.date(2024, 4, 7)  # still a cadence after the start date 2024-01-08
    assert status == Regularity.OVERDUE
    assert not Notification.objects.exists()


def test_a_conversation_cannot_be_marked_held_before_it_starts(conversation):
    with pytest.raises(ValidationError, match="once it has started"):
        mark_held(conversation=conversation, outcome=Conversation.Status.COMPLETED,
                  now=STARTS_AT - datetime.timedelta(minutes=1))

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CONFIRMED


def test_a_cancelled_conversation_cannot_be_marked_held(employee, manager):
    cancelled = ConversationFactory(employee=employee, partner=manager, starts_at=STARTS_AT,
                                    status=Conversation.Status.CANCELLED)

    with pytest.raises(ValidationError, match="cancelled"):
        mark_held(conversation=cancelled, outcome=Conversation.Status.COMPLETED, now=STARTS_AT)


def test_the_outcome_can_be_corrected_while_the_record_is_open_and_not_after(conversation):
    first = datetime.datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    mark_held(conversation=conversation, outcome=Conversation.Status.NO_SHOW, now=first)
    mark_held(conversation=conversation, outcome=Conversation.Status.COMPLETED, now=first + datetime.timedelta(days=1))

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.COMPLETED
    assert conversation.held_at == first
    with pytest.raises(ValidationError, match="locked"):
        mark_held(conversation=conversation, outcome=Conversation.Status.NO_SHOW,
                  now=first + datetime.timedelta(days=7))


def test_the_employee_reflects_and_acknowledges_once(conversation):
    mark_held(conversation=conversation, outcome=Conversation.Status.COMPLETED, now=STARTS_AT)
    acknowledged_at = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    reflect(conversation=conversation, reflection="  I will ask for the data project.  ", acknowledge=True,
            now=acknowledged_at)
    reflect(conversation=conversation, reflection="I will ask for the data project soon.", acknowledge=False,
            now=acknowledged_at + datetime.timedelta(days=1))

    conversation.refresh_from_db()
    assert conversation.employee_reflection == "I will ask for the data project soon."
    assert conversation.notes_acknowledged_at == acknowledged_at


def test_a_conversation_not_held_takes_no_reflection(conversation):
    with pytest.raises(ValidationError, match="once it has been held"):
        reflect(conversation=conversation, reflection="Too early", acknowledge=True, now=STARTS_AT)


def test_marking_held_from_the_page_says_when_the_next_one_is_due(client, employee, manager):
    now = timezone.now()
    conversation = ConversationFactory(employee=employee, partner=manager, starts_at=now - datetime.timedelta(hours=1))
    client.force_login(manager.user)

    response = client.post(reverse("conversations:mark_held", args=[conversation.pk]), {"outcome": "completed"},
                           follow=True)

    body = response.content.decode()
    assert "Marked as held. Eli Brandt&#x27;s next conversation is due by " in body
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.COMPLETED


def test_marking_held_too_early_from_the_page_explains_why(client, conversation, manager):
    Conversation.objects.filter(pk=conversation.pk).update(starts_at=timezone.now() + datetime.timedelta(days=1),
                                                           ends_at=timezone.now() + datetime.timedelta(days=1, hours=1))
    client.force_login(manager.user)

    response = client.post(reverse("conversations:mark_held", args=[conversation.pk]), {"outcome": "completed"},
                           follow=True)

    assert "It can be marked once it has started" in response.content.decode()
