"""The audit log: who viewed or changed a conversation's preparation or notes, shown to the employee whose records
they are; HR sees counts only."""

import datetime

import pytest
from django.contrib.auth.models import User

from conversations import audit
from conversations.models import AuditEvent, Handover, Notes
from tests.support.factories import ConversationFactory, NotesFactory, PreparationFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
Action = AuditEvent.Action


@pytest.fixture
def conversation(employee, mentor):
    return ConversationFactory(employee=employee, partner=mentor, relation="mentor",
                               starts_at=datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC))


def test_a_partner_reading_the_preparation_is_recorded_against_the_employee(conversation, mentor, employee):
    preparation = PreparationFactory(conversation=conversation, shared_at=NOW)

    event = audit.record_access(actor=mentor.user, conversation=conversation, subject=preparation,
                                action=Action.VIEWED, now=NOW)

    assert (event.actor, event.actor_role, event.subject, event.record, event.action, event.at) == (
        mentor.user, "partner", employee, "preparation", "viewed", NOW)


def test_notes_are_recorded_as_shared_or_private_by_their_visibility(conversation, mentor):
    shared = NotesFactory(conversation=conversation, visibility=Notes.Visibility.SHARED)
    private = NotesFactory(conversation=conversation, visibility=Notes.Visibility.PRIVATE)

    first = audit.record_access(actor=mentor, conversation=conversation, subject=shared, action=Action.CHANGED,
                                now=NOW)
    second = audit.record_access(actor=mentor, conversation=conversation, subject=private, action=Action.CHANGED,
                                 now=NOW)

    assert (first.record, second.record) == ("shared_notes", "private_notes")


def test_the_same_access_within_ten_minutes_is_one_event(conversation, mentor):
    preparation = PreparationFactory(conversation=conversation)
    for minutes in (0, 3, 9):
        audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.VIEWED,
                            now=NOW + datetime.timedelta(minutes=minutes))
    audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.VIEWED,
                        now=NOW + datetime.timedelta(minutes=11))
    audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.CHANGED,
                        now=NOW + datetime.timedelta(minutes=11))

    assert list(AuditEvent.objects.order_by("at", "action").values_list("action", "at")) == [
        ("viewed", NOW),
        ("changed", NOW + datetime.timedelta(minutes=11)),
        ("viewed", NOW + datetime.timedelta(minutes=11)),
    ]


def test_roles_are_named_from_the_actor_s_relation_to_the_conversation(conversation, employee, mentor, manager, hr,
                                                                       stranger):
    admin = User.objects.create_superuser("root", "root@example.com", "unused-password-123")

    assert audit.role_of(manager.user, conversation) == "manager"
    assert audit.role_of(employee.user, conversation) == "employee"
    assert audit.role_of(mentor.user, conversation) == "partner"
    assert audit.role_of(hr.user, conversation) == "hr"
    assert audit.role_of(admin, conversation) == "administrator"
    assert audit.role_of(stranger.user, conversation) == "other"


def test_the_employee_sees_who_opened_their_records_in_their_own_timezone(client, conversation, employee, mentor):
    employee.timezone = "America/New_York"
    employee.save()
    preparation = PreparationFactory(conversation=conversation)
    audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.VIEWED, now=NOW)
    client.force_login(employee.user)

    page = client.get("/people/me/privacy/").content.decode()

    assert "Tue 10 Mar 2026, 10:00 EDT" in page
    assert "Mina Sato" in page and "(the conversation partner)" in page
    assert "Preparation" in page and "of my conversation on 3 Mar 2026" in page


def test_the_employee_s_own_accesses_and_private_notes_are_not_listed(client, conversation, employee, mentor):
    preparation = PreparationFactory(conversation=conversation)
    private = NotesFactory(conversation=conversation, visibility=Notes.Visibility.PRIVATE)
    audit.record_access(actor=employee, conversation=conversation, subject=preparation, action=Action.CHANGED,
                        now=NOW)
    audit.record_access(actor=mentor, conversation=conversation, subject=private, action=Action.CHANGED, now=NOW)
    client.force_login(employee.user)

    page = client.get("/people/me/privacy/").content.decode()

    assert "Nobody else has opened your records yet." in page
    assert list(audit.accesses_to_records_of(employee)) == []


def test_another_person_s_accesses_are_not_shown_to_me(client, conversation, stranger, mentor):
    preparation = PreparationFactory(conversation=conversation)
    audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.VIEWED, now=NOW)
    client.force_login(stranger.user)

    page = client.get("/people/me/privacy/").content.decode()

    assert "Mina Sato" not in page
    assert "Nobody else has opened your records yet." in page


def test_hr_counts_accesses_by_period_without_names(client, conversation, employee, mentor, hr):
    preparation = PreparationFactory(conversation=conversation)
    for days in (1, 100, 400):
        audit.record_access(actor=mentor, conversation=conversation, subject=preparation, action=Action.VIEWED,
                            now=NOW - datetime.timedelta(days=days))

    rows = audit.access_counts(now=NOW)

    assert [(r.record, r.action, r.actor_role, r.last_30_days, r.last_12_months, r.all_time) for r in rows] == [
        ("preparation", "viewed", "partner", 1, 2, 3)]

    client.force_login(hr.user)
    page = client.get("/people/privacy/").content.decode()
    assert "How often private records are opened" in page
    assert "The conversation partner" in page
    assert "Mina" not in page and "Eli" not in page


@pytest.mark.parametrize("persona", ["employee", "mentor", "stranger"])
def test_the_access_counts_are_for_hr_only(client, request, persona):
    client.force_login(request.getfixturevalue(persona).user)

    assert client.get("/people/privacy/").status_code == 404


def test_a_superuser_opening_a_preparation_on_the_admin_site_is_shown_to_the_employee(client, conversation,
                                                                                      employee):
    admin = User.objects.create_superuser("root", "root@example.com", "unused-password-123")
    preparation = PreparationFactory(conversation=conversation)
    client.force_login(admin)

    assert client.get(f"/admin/conversations/preparation/{preparation.pk}/change/").status_code == 200

    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_role, event.subject, event.record) == (admin, "administrator", employee,
                                                                            "preparation")
    assert [e.actor_name for e in audit.accesses_to_records_of(employee)] == ["root"]


def test_the_audit_log_cannot_be_edited_or_deleted_on_the_admin_site(client, conversation, mentor):
    admin = User.objects.create_superuser("root", "root@example.com", "unused-password-123")
    event = audit.record_access(actor=mentor, conversation=conversation, subject=AuditEvent.Record.PREPARATION,
                                action=Action.VIEWED, now=NOW)
    client.force_login(admin)

    assert client.get(f"/admin/conversations/auditevent/{event.pk}/delete/").status_code == 403
    client.post(f"/admin/conversations/auditevent/{event.pk}/change/", {"action": "changed"})
    event.refresh_from_db()
    assert event.action == "viewed"


# --- Recorded by the pages ------------------------------------------------------------------------------------


def test_the_partner_opening_a_conversation_with_a_shared_preparation_is_recorded(client, conversation, mentor,
                                                                                   employee):
    PreparationFactory(conversation=conversation, shared_at=NOW)
    client.force_login(mentor.user)

    assert client.get(f"/conversations/{conversation.pk}/").status_code == 200

    assert list(audit.accesses_to_records_of(employee).values_list("actor_role", "record", "action")) == [
        ("partner", "preparation", "viewed")]


def test_an_unshared_preparation_is_not_opened_by_the_partner_so_nothing_is_recorded(client, conversation, mentor):
    PreparationFactory(conversation=conversation, shared_at=None)
    client.force_login(mentor.user)

    client.get(f"/conversations/{conversation.pk}/")

    assert not AuditEvent.objects.exists()


def test_the_partner_opening_a_conversation_page_that_shows_shared_notes_is_recorded(client, conversation, mentor,
                                                                                    employee):
    NotesFactory(conversation=conversation, author=employee, visibility=Notes.Visibility.SHARED,
                 summary="I want to lead the platform team")
    client.force_login(mentor.user)

    page = client.get(f"/conversations/{conversation.pk}/")

    assert "I want to lead the platform team" in page.content.decode()
    assert list(audit.accesses_to_records_of(employee).values_list("actor_role", "record", "action")) == [
        ("partner", "shared_notes", "viewed")]


def test_saving_and_autosaving_a_preparation_is_recorded_as_a_change_by_the_employee(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    client.force_login(employee.user)

    client.post(f"/conversations/{conversation.pk}/preparation/", {"roadblocks": "Too many meetings"})
    client.post(f"/conversations/{conversation.pk}/preparation/autosave/", {"roadblocks": "Too many meetings!"})

    assert list(AuditEvent.objects.values_list("actor", "actor_role", "record", "action")) == [
        (employee.user.pk, "employee", "preparation", "changed")]


def test_the_notes_page_records_the_preparation_and_notes_it_shows(client, conversation, employee, mentor):
    PreparationFactory(conversation=conversation, shared_at=NOW)
    NotesFactory(conversation=conversation, author=employee, visibility=Notes.Visibility.SHARED)
    NotesFactory(conversation=conversation, author=mentor, visibility=Notes.Visibility.PRIVATE)
    client.force_login(mentor.user)

    assert client.get(f"/conversations/{conversation.pk}/notes/").status_code == 200

    assert sorted(AuditEvent.objects.values_list("actor_role", "record", "action")) == [
        ("partner", "preparation", "viewed"), ("partner", "private_notes", "viewed"),
        ("partner", "shared_notes", "viewed")]
    assert sorted(audit.accesses_to_records_of(employee).values_list("record", flat=True)) == [
        "preparation", "shared_notes"]


def test_saving_notes_is_recorded_as_a_change_of_that_kind_of_notes(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager,
                                       starts_at=datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC))
    client.force_login(manager.user)

    client.post(f"/conversations/{conversation.pk}/notes/private/", {"summary": "Flight risk"})

    assert list(AuditEvent.objects.values_list("actor_role", "record", "action")) == [
        ("partner", "private_notes", "changed")]


def test_a_new_manager_reading_handed_over_notes_is_shown_to_the_employee(client, conversation, employee, manager,
                                                                         mentor):
    shared = NotesFactory(conversation=conversation, author=mentor, visibility=Notes.Visibility.SHARED)
    handover = Handover.objects.create(employee=employee, new_manager=manager, decided_at=NOW)
    handover.notes.add(shared)
    client.force_login(manager.user)

    assert client.get(f"/people/team/{employee.pk}/").status_code == 200

    assert [(e.actor_name, e.actor_role, e.record) for e in audit.accesses_to_records_of(employee)] == [
        ("Maya Okafor", "manager", "shared_notes")]
