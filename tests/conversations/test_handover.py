"""Manager change: the history stays with the employee; the new manager sees dates and statuses, and only the
shared notes and actions the employee hands over."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Concat
from django.forms.models import model_to_dict
from django.urls import reverse

from conversations.handover import handed_over, pending_handover, save_handover
from conversations.models import Conversation, Handover, Notes, Notification
from conversations.permissions import visible_actions, visible_notes
from people.importing import apply_import, read_people_file
from people.org import set_manager
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory, PersonFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def new_manager():
    return PersonFactory(user__username="nora", user__first_name="Nora", user__last_name="Quist")


@pytest.fixture
def history(employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                       starts_at=datetime.datetime(2026, 1, 12, 10, tzinfo=UTC))
    return {
        "conversation": conversation,
        "shared": NotesFactory(conversation=conversation, author=manager, summary="Eli is ready for a data role"),
        "private": NotesFactory(conversation=conversation, author=manager, visibility=Notes.Visibility.PRIVATE,
                                summary="Maya's private view"),
        "action": ActionItemFactory(conversation=conversation, text="Shadow the data team"),
        "other_action": ActionItemFactory(conversation=conversation, text="Not for Nora"),
    }


def test_no_handover_is_due_while_the_manager_is_the_same(employee, history):
    assert pending_handover(employee) is None


def test_a_new_manager_makes_a_handover_due_and_names_the_previous_one(employee, manager, new_manager, history):
    set_manager(person=employee, manager=new_manager)

    handover = pending_handover(employee)

    assert (handover.new_manager, handover.previous_manager, handover.decided_at) == (new_manager, manager, None)
    assert Notification.objects.get(recipient=employee).url == reverse("conversations:handover")


def test_a_change_made_without_set_manager_is_noticed_too(employee, new_manager, history):
    type(employee).objects.filter(pk=employee.pk).update(manager=new_manager)
    employee.refresh_from_db()

    assert pending_handover(employee) is not None


def test_before_the_employee_chooses_the_new_manager_sees_no_content(employee, new_manager, history):
    set_manager(person=employee, manager=new_manager)

    assert handed_over(manager=new_manager, employee=employee) == ([], [])
    assert not visible_notes(new_manager.user).exists()
    assert not visible_actions(new_manager.user).exists()


def test_the_new_manager_sees_exactly_what_was_handed_over(employee, new_manager, history):
    set_manager(person=employee, manager=new_manager)

    save_handover(employee=employee, note_ids=[history["shared"].pk], action_ids=[history["action"].pk], now=NOW)

    notes, actions = handed_over(manager=new_manager, employee=employee)
    assert [n.summary for n in notes] == ["Eli is ready for a data role"]
    assert [a.text for a in actions] == ["Shadow the data team"]
    assert list(visible_notes(new_manager.user)) == [history["shared"]]
    assert list(visible_actions(new_manager.user)) == [history["action"]]
    assert new_manager.user.has_perm("conversations.view_notes", history["shared"])
    assert not new_manager.user.has_perm("conversations.view_notes", history["private"])
    assert new_manager.user.has_perm("conversations.view_actionitem", history["action"])
    assert not new_manager.user.has_perm("conversations.view_actionitem", history["other_action"])
    assert Notification.objects.get(recipient=new_manager).url == reverse(
        "conversations:team_member", args=[employee.pk])


def test_private_notes_cannot_be_handed_over(employee, new_manager, history):
    set_manager(person=employee, manager=new_manager)

    with pytest.raises(ValidationError):
        save_handover(employee=employee, note_ids=[history["private"].pk], action_ids=[], now=NOW)

    assert not Handover.objects.filter(decided_at__isnull=False).exists()


def test_another_persons_notes_cannot_be_handed_over(employee, new_manager, history, stranger, mentor):
    set_manager(person=employee, manager=new_manager)
    someone_elses = NotesFactory(conversation=ConversationFactory(employee=stranger, partner=mentor))

    with pytest.raises(ValidationError):
        save_handover(employee=employee, note_ids=[someone_elses.pk], action_ids=[], now=NOW)


def test_what_was_handed_over_stops_being_visible_when_the_manager_changes_again(employee, new_manager, history):
    set_manager(person=employee, manager=new_manager)
    save_handover(employee=employee, note_ids=[history["shared"].pk], action_ids=[history["action"].pk], now=NOW)

    set_manager(person=employee, manager=PersonFactory())

    assert handed_over(manager=new_manager, employee=employee) == ([], [])
    assert not visible_notes(new_manager.user).exists()


def test_the_employee_chooses_on_the_handover_page_and_the_new_manager_reads_it(client, employee, new_manager,
                                                                                history):
    set_manager(person=employee, manager=new_manager)
    client.force_login(employee.user)
    home = client.get(reverse("home")).content.decode()
    assert "Choose what to hand over" in home

    page = client.get(reverse("conversations:handover")).content.decode()
    assert "Eli is ready for a data role" in page
    assert "Maya&#x27;s private view" not in page
    client.post(reverse("conversations:handover"), {"notes": [history["shared"].pk], "actions": [history["action"].pk]})

    assert "Choose what to hand over" not in client.get(reverse("home")).content.decode()
    client.force_login(new_manager.user)
    member = client.get(reverse("conversations:team_member", args=[employee.pk])).content.decode()
    assert "Eli is ready for a data role" in member
    assert "Shadow the data team" in member
    assert "Not for Nora" not in member
    assert "Maya&#x27;s private view" not in member
    assert "12 Jan 2026" in member  # dates of every conversation


def test_the_previous_manager_keeps_their_own_conversations(employee, manager, new_manager, history):
    set_manager(person=employee, manager=new_manager)

    assert set(visible_notes(manager.user)) == {history["shared"], history["private"]}


def test_nothing_to_hand_over_means_no_prompt(employee, manager, new_manager):
    ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED)
    set_manager(person=employee, manager=new_manager)

    assert pending_handover(employee) is None
    assert not Notification.objects.exists()


def test_a_choice_that_is_not_offered_is_refused_on_the_page_and_nothing_changes(client, employee, new_manager,
                                                                                 history):
    set_manager(person=employee, manager=new_manager)
    client.force_login(employee.user)

    response = client.post(reverse("conversations:handover"), {"notes": [history["private"].pk]})

    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert not Handover.objects.filter(decided_at__isnull=False).exists()


def test_a_new_manager_set_in_the_admin_tells_the_employee(client, django_user_model, employee, new_manager,
                                                           history):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "unused-password-123")
    client.force_login(admin)
    form = {key: value for key, value in model_to_dict(employee).items() if value is not None}
    form.update(manager=new_manager.pk)
    form = {key: ("on" if value is True else value) for key, value in form.items() if value is not False}

    response = client.post(f"/admin/people/person/{employee.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Handover.objects.get(employee=employee).new_manager == new_manager
    assert Notification.objects.get(recipient=employee).url == reverse("conversations:handover")


def test_a_new_manager_from_the_import_tells_the_employee(employee, new_manager, history):
    type(employee).objects.filter(pk__in=[employee.pk, new_manager.pk]).update(employee_id=Concat(Value("E"), "pk"))
    employee.refresh_from_db()
    new_manager.refresh_from_db()
    line = (f"{employee.employee_id},{employee.user.email},{employee.user.first_name},{employee.user.last_name},"
            f"{new_manager.employee_id}\n")

    result = apply_import(read_people_file(f"Employee ID,Email,First name,Last name,Manager\n{line}".encode()),
                          full=False, today=NOW.date(), now=NOW, acting_user=None)

    assert result.applied, result.plan.problems
    assert Handover.objects.get(employee=employee).new_manager == new_manager
    assert Notification.objects.get(recipient=employee).url == reverse("conversations:handover")
