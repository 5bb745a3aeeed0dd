"""Action items: agreed in a conversation, owned by the employee, the partner or the organisation, editable by
both participants; "My commitments" lists every open action a person owns, overdue first, and done ones keep
when they were done."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations.followup.actions import (
    add_action,
    commitments_for,
    complete_action,
    remove_action,
    reopen_action,
    update_action,
)
from conversations.models import ActionItem, Conversation, Notification
from tests.support.factories import ActionItemFactory, ConversationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TODAY = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager,
                               starts_at=datetime.datetime(2026, 2, 27, 10, tzinfo=UTC))


def test_an_action_given_to_the_other_participant_reaches_them_under_the_bell(conversation, employee, manager):
    given = add_action(conversation=conversation, by=manager, text="Shadow the data team", owner_kind="employee",
                       due_on=datetime.date(2026, 3, 20), now=NOW)
    add_action(conversation=conversation, by=manager, text="Ask about the data role", owner_kind="partner",
               due_on=None, now=NOW)

    [notification] = Notification.objects.all()
    assert notification.recipient == employee
    assert notification.title == "Maya Okafor gave you an action: Shadow the data team"
    assert notification.url == f"/conversations/commitments/#action-{given.pk}"

    complete_action(action=given, now=NOW)

    assert not Notification.objects.exists()


def test_an_action_is_owned_by_the_person_its_kind_names(conversation, employee, manager):
    mine = add_action(conversation=conversation, by=manager, text="Shadow the data team", owner_kind="employee",
                      due_on=datetime.date(2026, 3, 20), now=NOW)
    partners = add_action(conversation=conversation, by=manager, text="Ask about the data role",
                          owner_kind="partner", due_on=None, now=NOW)
    organisations = add_action(conversation=conversation, by=employee, text="HR to find a mentor in data engineering",
                               owner_kind="organisation", due_on=datetime.date(2026, 4, 1), now=NOW)

    assert (mine.owner, partners.owner, organisations.owner) == (employee, manager, None)
    assert organisations.created_by == employee


def test_an_action_needs_words(conversation, manager):
    with pytest.raises(ValidationError):
        add_action(conversation=conversation, by=manager, text="   ", owner_kind="employee", due_on=None, now=NOW)


def test_changing_the_owner_kind_moves_the_action_to_that_person(conversation, employee, manager):
    action = ActionItemFactory(conversation=conversation)

    update_action(action=action, text="Ask HR", owner_kind="organisation", due_on=None, now=NOW)
    assert action.owner is None
    update_action(action=action, text="Ask HR", owner_kind="partner", due_on=None, now=NOW)

    action.refresh_from_db()
    assert (action.owner, action.owner_kind) == (manager, "partner")


def test_done_keeps_the_first_time_it_was_done_and_reopening_clears_it(conversation):
    action = ActionItemFactory(conversation=conversation)

    complete_action(action=action, now=NOW)
    complete_action(action=action, now=NOW + datetime.timedelta(hours=1))
    assert action.done_at == NOW
    reopen_action(action=action, now=NOW)

    action.refresh_from_db()
    assert action.done_at is None


def test_a_mistaken_action_can_be_removed_while_the_record_is_open_and_not_after(conversation):
    open_action = ActionItemFactory(conversation=conversation)
    remove_action(action=open_action, now=NOW)
    assert not ActionItem.objects.exists()

    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.COMPLETED,
                                                           held_at=NOW - datetime.timedelta(days=8))
    conversation.refresh_from_db()
    kept = ActionItemFactory(conversation=conversation)
    with pytest.raises(ValidationError, match="mark the action done instead"):
        remove_action(action=kept, now=NOW)
    assert ActionItem.objects.filter(pk=kept.pk).exists()


def test_my_commitments_lists_overdue_first_then_by_due_date_then_undated(conversation, employee):
    ActionItemFactory(conversation=conversation, text="Due later", due_on=datetime.date(2026, 4, 1))
    ActionItemFactory(conversation=conversation, text="Undated", due_on=None)
    ActionItemFactory(conversation=conversation, text="Long overdue", due_on=datetime.date(2026, 1, 5))
    ActionItemFactory(conversation=conversation, text="Due soon", due_on=datetime.date(2026, 3, 5))
    ActionItemFactory(conversation=conversation, text="Just overdue", due_on=datetime.date(2026, 3, 1))
    ActionItemFactory(conversation=conversation, text="Already done", due_on=datetime.date(2026, 1, 1), done_at=NOW)

    commitments = commitments_for(employee, today=TODAY, follows_organisation=False)

    assert [action.text for action in commitments.mine] == [
        "Long overdue", "Just overdue", "Due soon", "Due later", "Undated"]
    assert [action.text for action in commitments.done] == ["Already done"]
    assert commitments.done[0].done_at == NOW


def test_what_others_owe_in_my_conversations_is_listed_apart(conversation, employee, manager):
    ActionItemFactory(conversation=conversation, text="Eli's own", owner_kind="employee", owner=employee)
    ActionItemFactory(conversation=conversation, text="Maya's", owner_kind="partner", owner=manager)
    ActionItemFactory(conversation=conversation, text="The organisation's", owner_kind="organisation", owner=None)

    for_eli = commitments_for(employee, today=TODAY, follows_organisation=False)
    for_maya = commitments_for(manager, today=TODAY, follows_organisation=False)

    assert [action.text for action in for_eli.mine] == ["Eli's own"]
    assert sorted(action.text for action in for_eli.waiting) == ["Maya's", "The organisation's"]
    assert [action.text for action in for_maya.mine] == ["Maya's"]
    assert sorted(action.text for action in for_maya.waiting) == ["Eli's own", "The organisation's"]


def test_hr_follows_up_every_open_action_the_organisation_owns(conversation, hr, mentor, employee):
    ActionItemFactory(conversation=conversation, text="Find a data mentor", owner_kind="organisation", owner=None,
                      due_on=datetime.date(2026, 3, 20))
    other = ConversationFactory(employee=mentor, partner=employee, starts_at=NOW)
    ActionItemFactory(conversation=other, text="Budget for a course", owner_kind="organisation", owner=None,
                      due_on=datetime.date(2026, 2, 1))
    ActionItemFactory(conversation=other, text="Done already", owner_kind="organisation", owner=None, done_at=NOW)
    ActionItemFactory(conversation=other, text="Mina's own", owner_kind="employee", owner=mentor)

    commitments = commitments_for(hr, today=TODAY, follows_organisation=True)

    assert [action.text for action in commitments.organisation] == ["Budget for a course", "Find a data mentor"]
    assert commitments.mine == [] and commitments.waiting == []


def test_the_commitments_page_shows_my_actions_and_marks_the_overdue(client, conversation, employee):
    ActionItemFactory(conversation=conversation, text="Write up the <b>migration</b> plan",
                      due_on=datetime.date(2020, 1, 1))
    client.force_login(employee.user)

    body = client.get(reverse("conversations:commitments")).content.decode()

    assert "Write up the &lt;b&gt;migration&lt;/b&gt; plan" in body
    assert "Overdue" in body


def test_adding_an_action_from_the_workspace(client, conversation, manager):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:add_action", args=[conversation.pk]),
                           {"text": "HR to find a mentor in data engineering", "owner_kind": "organisation",
                            "due_on": "2099-01-31"})

    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert (action.owner_kind, action.owner, action.due_on) == ("organisation", None, datetime.date(2099, 1, 31))


def test_a_past_due_date_is_refused_with_a_message_and_the_text_is_kept(client, conversation, manager):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:add_action", args=[conversation.pk]),
                           {"text": "Book the course", "owner_kind": "employee", "due_on": "2020-01-31"},
                           follow=True)

    body = response.content.decode()
    assert response.redirect_chain == [(reverse("conversations:notes", args=[conversation.pk]) + "#actions", 302)]
    assert "Choose today or a later date." in body
    assert 'value="Book the course"' in body
    assert not ActionItem.objects.exists()


def test_editing_an_action_keeps_an_unchanged_past_due_date(client, conversation, manager):
    action = ActionItemFactory(conversation=conversation, due_on=datetime.date(2020, 1, 31))
    client.force_login(manager.user)

    response = client.post(reverse("conversations:edit_action", args=[action.pk]),
                           {"text": "Shadow the data team for two weeks", "owner_kind": "employee",
                            "due_on": "2020-01-31"})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == "Shadow the data team for two weeks"


def test_the_other_participant_marks_an_action_done_too(client, conversation, manager):
    action = ActionItemFactory(conversation=conversation)
    client.force_login(manager.user)

    client.post(reverse("conversations:complete_action", args=[action.pk]), {"next": "https://evil.example/"})

    action.refresh_from_db()
    assert action.done_at is not None


def test_after_marking_done_the_page_returns_to_where_it_came_from_on_this_site_only(client, conversation, employee):
    action = ActionItemFactory(conversation=conversation)
    client.force_login(employee.user)

    elsewhere = client.post(reverse("conversations:complete_action", args=[action.pk]),
                            {"done": "0", "next": "https://evil.example/"})
    back = client.post(reverse("conversations:complete_action", args=[action.pk]),
                       {"next": "/conversations/commitments/#action-1"})

    assert elsewhere["Location"] == reverse("conversations:commitments")
    assert back["Location"] == "/conversations/commitments/#action-1"


def test_the_edit_page_only_links_back_to_pages_of_this_site(client, conversation, manager):
    action = ActionItemFactory(conversation=conversation)
    client.force_login(manager.user)

    body = client.get(reverse("conversations:edit_action", args=[action.pk]),
                      {"next": "javascript:alert(1)"}).content.decode()

    assert "javascript:" not in body
    assert f'href="{reverse("conversations:notes", args=[conversation.pk])}"' in body
