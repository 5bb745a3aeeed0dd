"""Guided notes: each participant writes their own, shared or private; they lock a set number of days after the
conversation was held, and the moment they locked is recorded."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversations.followup.notes import notes_by, notes_window, record_notes_locks, save_notes
from conversations.models import TEXT_LIMIT, Conversation, Notes, Notification
from conversations.tasks import record_notes_locks_task
from people.models import Organisation
from tests.support.factories import ConversationFactory, NotesFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
HELD_AT = datetime.datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def held(employee, manager):
    return ConversationFactory(employee=employee, partner=manager, starts_at=HELD_AT - datetime.timedelta(hours=1),
                               status=Conversation.Status.COMPLETED, held_at=HELD_AT)


def test_notes_are_editable_until_seven_days_after_the_conversation_was_held(held):
    window = notes_window(held, now=HELD_AT + datetime.timedelta(days=6, hours=23))

    assert window.editable
    assert window.locks_at == datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


def test_notes_lock_exactly_seven_days_after_the_conversation_was_held(held):
    window = notes_window(held, now=datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC))

    assert not window.editable
    assert window.locked_at == datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


def test_the_organisation_sets_how_long_notes_stay_editable(held):
    organisation = Organisation.current()
    organisation.notes_edit_days = 14
    organisation.save()

    assert notes_window(held, now=HELD_AT + datetime.timedelta(days=10)).editable
    assert not notes_window(held, now=HELD_AT + datetime.timedelta(days=14)).editable


def test_notes_before_the_conversation_is_held_are_editable(employee, manager):
    upcoming = ConversationFactory(employee=employee, partner=manager)

    assert notes_window(upcoming, now=timezone.now()).editable


def test_a_cancelled_conversations_notes_are_read_only(employee, manager):
    cancelled = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.CANCELLED)

    assert not notes_window(cancelled, now=timezone.now()).editable


def test_saving_writes_one_row_per_author_and_visibility(held, manager):
    now = HELD_AT + datetime.timedelta(days=1)
    save_notes(conversation=held, author=manager, visibility="shared", values={"summary": "First"}, now=now)
    save_notes(conversation=held, author=manager, visibility="shared", values={"summary": "Second"}, now=now)
    save_notes(conversation=held, author=manager, visibility="private", values={"summary": "Mine"}, now=now)

    assert sorted(Notes.objects.values_list("visibility", "summary")) == [("private", "Mine"), ("shared", "Second")]


def test_the_employee_hears_once_under_the_bell_and_by_e_mail_when_shared_notes_first_say_something(
        held, employee, manager, django_capture_on_commit_callbacks, mailoutbox):
    now = HELD_AT + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        save_notes(conversation=held, author=manager, visibility="private", values={"summary": "Mine"}, now=now)
        save_notes(conversation=held, author=manager, visibility="shared", values={"summary": ""}, now=now)
        save_notes(conversation=held, author=manager, visibility="shared", values={"summary": "Data"}, now=now)
        save_notes(conversation=held, author=manager, visibility="shared", values={"summary": "Data team"}, now=now)

    [notification] = Notification.objects.filter(recipient=employee)
    assert notification.title == "Maya Okafor shared their notes on your conversation of 2 March"
    assert notification.url == f"/conversations/{held.pk}/"
    assert [message.subject for message in mailoutbox] == [notification.title]
    assert not Notification.objects.filter(recipient=manager).exists()


def test_saving_after_the_lock_is_refused_and_records_when_the_notes_locked(held, manager):
    with pytest.raises(ValidationError, match="locked"):
        save_notes(conversation=held, author=manager, visibility="shared", values={"summary": "Too late"},
                   now=HELD_AT + datetime.timedelta(days=8))

    held.refresh_from_db()
    assert held.notes_locked_at == datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    assert not Notes.objects.exists()


def test_the_sweep_records_the_lock_at_the_moment_the_window_closed(held, employee, manager):
    still_open = ConversationFactory(employee=employee, partner=manager,
                                     starts_at=HELD_AT + datetime.timedelta(days=3),
                                     status=Conversation.Status.COMPLETED,
                                     held_at=HELD_AT + datetime.timedelta(days=3))

    recorded = record_notes_locks(now=HELD_AT + datetime.timedelta(days=9))

    held.refresh_from_db()
    still_open.refresh_from_db()
    assert recorded == 1
    assert held.notes_locked_at == datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    assert still_open.notes_locked_at is None
    assert record_notes_locks(now=HELD_AT + datetime.timedelta(days=9)) == 0


def test_each_participant_reads_their_own_notes_and_the_others_shared_notes_only(held, employee, manager):
    NotesFactory(conversation=held, author=manager, visibility="shared", summary="Shared by Maya")
    NotesFactory(conversation=held, author=manager, visibility="private", summary="Private to Maya")
    NotesFactory(conversation=held, author=employee, visibility="private", summary="Private to Eli")

    mine, theirs = notes_by(held, user=employee.user)

    assert mine["private"].summary == "Private to Eli"
    assert mine["shared"] is None
    assert [notes.summary for notes in theirs] == ["Shared by Maya"]


def test_autosave_answers_json_with_the_time_it_saved(client, held, manager, settings):
    Conversation.objects.filter(pk=held.pk).update(held_at=timezone.now())
    client.force_login(manager.user)

    response = client.post(reverse("conversations:save_notes", args=[held.pk, "shared"]),
                           {"shared-summary": "Eli wants to move towards data engineering"},
                           headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert response.json()["message"].startswith("Saved at ")
    assert Notes.objects.get(author=manager).summary == "Eli wants to move towards data engineering"


def test_too_long_a_note_is_refused_with_a_message_for_its_field_and_nothing_saved_is_lost(client, held, manager):
    Conversation.objects.filter(pk=held.pk).update(held_at=timezone.now())
    NotesFactory(conversation=held, author=manager, summary="Kept")
    client.force_login(manager.user)

    response = client.post(reverse("conversations:save_notes", args=[held.pk, "shared"]),
                           {"shared-summary": "x" * (TEXT_LIMIT + 1)}, headers={"accept": "application/json"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "id_shared-summary": "Keep this to 5000 characters or fewer (it has 5001)."}
    assert Notes.objects.get(author=manager).summary == "Kept"


def test_without_javascript_a_too_long_note_comes_back_with_the_text_and_the_message(client, held, manager):
    Conversation.objects.filter(pk=held.pk).update(held_at=timezone.now())
    client.force_login(manager.user)

    response = client.post(reverse("conversations:save_notes", args=[held.pk, "private"]),
                           {"private-abilities": "Strong", "private-summary": "y" * (TEXT_LIMIT + 3)})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Keep this to 5000 characters or fewer (it has 5003)." in body
    assert "Strong</textarea>" in body


def test_saving_locked_notes_answers_conflict_with_the_reason(client, held, manager):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:save_notes", args=[held.pk, "shared"]),
                           {"shared-summary": "Late"}, headers={"accept": "application/json"})

    assert response.status_code == 409
    assert response.json()["locked"] is True
    assert not Notes.objects.exists()


def test_html_in_notes_is_shown_as_text(client, held, employee, manager):
    Conversation.objects.filter(pk=held.pk).update(held_at=timezone.now())
    NotesFactory(conversation=held, author=manager, summary="<script>alert('x')</script>")
    client.force_login(employee.user)

    body = client.get(reverse("conversations:notes", args=[held.pk])).content.decode()

    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


def test_an_unknown_kind_of_notes_is_not_found(client, held, manager):
    client.force_login(manager.user)

    response = client.post(reverse("conversations:save_notes", args=[held.pk, "public"]), {})

    assert response.status_code == 404


def test_beat_records_locks_through_its_task(held, settings):
    assert settings.CELERY_BEAT_SCHEDULE["record-notes-locks"]["task"] == "conversations.record_notes_locks"
    assert record_notes_locks_task.delay().get() == 1
    held.refresh_from_db()
    assert held.notes_locked_at == datetime.datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
