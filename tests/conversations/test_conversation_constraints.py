"""The database keeps the invariants, whatever the code above it does."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from conversations.models import ActionItem, Conversation, Preparation, Reminder
from tests.support.factories import ConversationFactory, PreparationFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def refused():
    return pytest.raises(IntegrityError)


def test_a_second_preparation_for_a_conversation_is_refused():
    preparation = PreparationFactory()

    with refused(), transaction.atomic():
        Preparation.objects.create(conversation=preparation.conversation)


def test_a_conversation_must_end_after_it_starts(employee, manager):
    with refused(), transaction.atomic():
        ConversationFactory(employee=employee, partner=manager, starts_at=NOON, ends_at=NOON)


def test_a_person_cannot_hold_a_conversation_with_themselves(employee):
    with refused(), transaction.atomic():
        ConversationFactory(employee=employee, partner=employee, starts_at=NOON)


def test_a_partner_cannot_have_two_active_conversations_at_the_same_start(employee, manager, stranger):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOON)

    with refused(), transaction.atomic():
        ConversationFactory(employee=stranger, partner=manager, starts_at=NOON)


def test_a_cancelled_slot_can_be_booked_again(employee, manager, stranger):
    ConversationFactory(employee=employee, partner=manager, starts_at=NOON, status=Conversation.Status.CANCELLED)

    again = ConversationFactory(employee=stranger, partner=manager, starts_at=NOON)

    assert again.pk is not None


def test_a_reminder_is_recorded_once(employee):
    fields = {"kind": Reminder.Kind.OVERDUE, "recipient": employee, "subject": f"person:{employee.pk}",
              "period": "2026-11-30", "not_before": NOON}
    Reminder.objects.create(**fields)

    with refused(), transaction.atomic():
        Reminder.objects.create(**fields)
    assert Reminder.objects.count() == 1


def test_an_organisation_action_has_no_person_owner_and_others_must_have_one(employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, starts_at=NOON)

    ActionItem.objects.create(conversation=conversation, text="Find a mentor", owner_kind="organisation")
    with refused(), transaction.atomic():
        ActionItem.objects.create(conversation=conversation, text="Read a book", owner_kind="employee")
    with refused(), transaction.atomic():
        ActionItem.objects.create(conversation=conversation, text="Fund a course", owner_kind="organisation",
                                  owner=manager)
