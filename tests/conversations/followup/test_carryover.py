"""Carry-over: the next conversation starts from the open actions and aspirations of earlier ones and the
roadblocks raised before, with how many conversations each stayed open — each viewer seeing only what was said
with them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations.followup.carryover import carry_over, raise_again, raise_roadblock, resolve_roadblock, roadblocks_for
from conversations.models import Conversation, Roadblock
from tests.support.factories import ActionItemFactory, ConversationFactory, PreparationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 4, 1, 9, tzinfo=UTC)


def on(day, employee, partner, **kwargs):
    starts_at = datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC)
    kwargs.setdefault("status", Conversation.Status.COMPLETED)
    return ConversationFactory(employee=employee, partner=partner, starts_at=starts_at, **kwargs)


@pytest.fixture
def history(employee, manager, mentor):
    january = on(datetime.date(2026, 1, 12), employee, manager)
    february_with_mentor = on(datetime.date(2026, 2, 9), employee, mentor, relation="mentor")
    march = on(datetime.date(2026, 3, 9), employee, manager)
    upcoming = on(datetime.date(2026, 4, 6), employee, manager, status=Conversation.Status.CONFIRMED)
    return {"january": january, "february": february_with_mentor, "march": march, "upcoming": upcoming}


def test_the_partner_sees_open_actions_from_their_earlier_conversations_only(history, manager):
    ActionItemFactory(conversation=history["january"], text="Open since January")
    ActionItemFactory(conversation=history["january"], text="Done in January", done_at=history["march"].starts_at)
    ActionItemFactory(conversation=history["february"], text="Agreed with the mentor")
    ActionItemFactory(conversation=history["march"], text="Open since March")

    carry = carry_over(history["upcoming"], user=manager.user)

    assert carry.previous == history["march"]
    assert [action.text for action in carry.open_actions] == ["Open since January", "Open since March"]


def test_the_employee_sees_everything_still_open_from_their_history(history, employee):
    ActionItemFactory(conversation=history["january"], text="Open since January")
    ActionItemFactory(conversation=history["february"], text="Agreed with the mentor")

    carry = carry_over(history["upcoming"], user=employee.user)

    assert [action.text for action in carry.open_actions] == ["Open since January", "Agreed with the mentor"]


def test_the_last_aspiration_the_partner_was_shown_carries_over(history, manager, employee):
    PreparationFactory(conversation=history["january"], aspiration_direction="sideways",
                       aspiration_target="Data engineering", shared_at=history["january"].starts_at)
    PreparationFactory(conversation=history["march"], aspiration_direction="up",
                       aspiration_target="Tech lead", shared_at=None)

    for_manager = carry_over(history["upcoming"], user=manager.user)
    for_employee = carry_over(history["upcoming"], user=employee.user)

    assert for_manager.aspiration.aspiration_target == "Data engineering"
    assert for_employee.aspiration.aspiration_target == "Tech lead"


def test_an_aspiration_prepared_for_a_cancelled_conversation_is_not_carried_over(history, employee, manager):
    PreparationFactory(conversation=history["january"], aspiration_direction="sideways",
                       aspiration_target="Data engineering", shared_at=history["january"].starts_at)
    called_off = on(datetime.date(2026, 3, 23), employee, manager, status=Conversation.Status.CANCELLED)
    PreparationFactory(conversation=called_off, aspiration_direction="up", aspiration_target="Tech lead",
                       shared_at=called_off.starts_at)

    carry = carry_over(history["upcoming"], user=employee.user)

    assert carry.aspiration.aspiration_target == "Data engineering"


def test_a_roadblock_counts_every_conversation_it_was_raised_in(history, employee, manager):
    roadblock = raise_roadblock(conversation=history["january"], by=manager, text="No time for deep work", now=NOW)
    raise_again(roadblock=roadblock, conversation=history["march"], now=NOW)
    raise_again(roadblock=roadblock, conversation=history["march"], now=NOW)
    raise_again(roadblock=roadblock, conversation=history["upcoming"], now=NOW)

    [shown] = roadblocks_for(history["upcoming"], user=manager.user)

    assert shown.raised_count == 3
    assert shown.raised_here is True


def test_a_resolved_roadblock_is_not_carried_into_later_conversations(history, manager):
    roadblock = raise_roadblock(conversation=history["january"], by=manager, text="Unclear promotion criteria", now=NOW)
    resolve_roadblock(roadblock=roadblock, conversation=history["march"], now=history["march"].starts_at)

    assert [r.text for r in roadblocks_for(history["march"], user=manager.user)] == ["Unclear promotion criteria"]
    assert roadblocks_for(history["upcoming"], user=manager.user) == []


def test_a_roadblock_raised_with_a_mentor_reaches_the_manager_only_once_raised_with_them(history, employee, mentor,
                                                                                          manager):
    roadblock = raise_roadblock(conversation=history["february"], by=mentor, text="Feels stuck on legacy work", now=NOW)

    assert roadblocks_for(history["upcoming"], user=manager.user) == []
    assert [r.text for r in roadblocks_for(history["upcoming"], user=employee.user)] == ["Feels stuck on legacy work"]

    raise_again(roadblock=roadblock, conversation=history["upcoming"], now=NOW)
    [shown] = roadblocks_for(history["upcoming"], user=manager.user)
    assert shown.raised_count == 2


def test_the_workspace_says_in_how_many_conversations_a_roadblock_was_raised(client, history, manager):
    roadblock = raise_roadblock(conversation=history["january"], by=manager, text="No time for deep work", now=NOW)
    raise_again(roadblock=roadblock, conversation=history["march"], now=NOW)
    client.force_login(manager.user)

    body = client.get(reverse("conversations:notes", args=[history["upcoming"].pk])).content.decode()

    assert "raised in 2 conversations" in body
    response = client.post(reverse("conversations:update_roadblock", args=[history["upcoming"].pk, roadblock.pk]),
                           {"change": "again"})
    assert response.status_code == 302
    assert Roadblock.objects.get().raised_in.count() == 3


def test_a_roadblock_from_someone_elses_conversations_cannot_be_changed(client, history, manager, stranger):
    other = ConversationFactory(employee=stranger, partner=manager)
    roadblock = raise_roadblock(conversation=other, by=manager, text="Someone else's", now=NOW)
    client.force_login(manager.user)

    response = client.post(reverse("conversations:update_roadblock", args=[history["upcoming"].pk, roadblock.pk]),
                           {"change": "again"}, follow=True)

    assert "belongs to someone else" in response.content.decode()
    assert list(roadblock.raised_in.all()) == [other]


def test_a_roadblock_raised_later_is_not_carried_back_to_earlier_conversations(history, employee, manager):
    raise_roadblock(conversation=history["march"], by=manager, text="Reorganisation in the spring", now=NOW)

    assert roadblocks_for(history["january"], user=employee.user) == []
    assert [r.text for r in roadblocks_for(history["march"], user=employee.user)] == ["Reorganisation in the spring"]
    assert [r.text for r in roadblocks_for(history["upcoming"], user=employee.user)] == [
        "Reorganisation in the spring"]


def test_a_roadblock_is_carried_over_from_the_conversation_after_the_one_it_was_raised_in(history, employee,
                                                                                           manager):
    roadblock = raise_roadblock(conversation=history["march"], by=manager, text="Reorganisation in the spring",
                                now=NOW)
    raise_again(roadblock=roadblock, conversation=history["upcoming"], now=NOW)

    assert carry_over(history["january"], user=employee.user).earlier_roadblocks == []
    # In the conversation that raised it, it is that conversation's own, counted once: the later one is not yet.
    [own] = roadblocks_for(history["march"], user=employee.user)
    assert (own.raised_count, own.raised_here, own.raised_before) == (1, True, False)
    assert carry_over(history["march"], user=employee.user).earlier_roadblocks == []
    [carried] = carry_over(history["upcoming"], user=employee.user).earlier_roadblocks
    assert (carried.text, carried.raised_count, carried.raised_before) == ("Reorganisation in the spring", 2, True)


def test_a_locked_conversation_takes_no_new_roadblock(history, manager):
    locked = history["january"]
    locked.held_at = locked.starts_at
    locked.notes_locked_at = locked.starts_at + datetime.timedelta(days=14)
    locked.save()

    with pytest.raises(ValidationError, match="locked"):
        raise_roadblock(conversation=locked, by=manager, text="Too late", now=NOW)

    assert not Roadblock.objects.exists()
