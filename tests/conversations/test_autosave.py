"""Autosave's one answer, for the notes and the preparation alike: saved with the time, refused with a message
keyed by the field's id, locked with the reason, and a 401 that a script can explain when the session has ended."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conversations.models import TEXT_LIMIT, Conversation, Notes, Preparation
from tests.support.factories import ConversationFactory, NotesFactory, PreparationFactory

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


@pytest.fixture
def preparing(employee, manager):
    """The employee's preparation: (url, the person who saves, a valid field, a field too long, where to look)."""
    conversation = ConversationFactory(employee=employee, partner=manager)
    PreparationFactory(conversation=conversation, roadblocks="Saved before")
    return (reverse("conversations:autosave_preparation", args=[conversation.pk]), employee,
            {"roadblocks": "Meetings fragment my week."}, {"roadblocks": "x" * 5001}, "id_roadblocks",
            lambda: Preparation.objects.get(conversation=conversation).roadblocks)


@pytest.fixture
def noting(employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                       held_at=timezone.now())
    NotesFactory(conversation=conversation, author=manager, visibility="shared", roadblocks="Saved before")
    return (reverse("conversations:save_notes", args=[conversation.pk, "shared"]), manager,
            {"shared-roadblocks": "Meetings fragment my week."}, {"shared-roadblocks": "x" * (TEXT_LIMIT + 1)},
            "id_shared-roadblocks", lambda: Notes.objects.get(conversation=conversation, author=manager).roadblocks)


@pytest.fixture(params=["preparing", "noting"])
def endpoint(request):
    return request.getfixturevalue(request.param)


def test_a_save_answers_the_time_it_saved(client, endpoint):
    url, author, valid, _, _, stored = endpoint
    client.force_login(author.user)

    response = client.post(url, valid, headers=JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["saved"] is True
    assert re.match(r"(Draft saved|Saved) at \d\d:\d\d\.$", response.json()["message"])
    assert stored() == "Meetings fragment my week."


def test_a_refusal_keys_its_message_by_the_fields_id_and_keeps_what_was_saved(client, endpoint):
    url, author, _, too_long, field_id, stored = endpoint
    client.force_login(author.user)

    response = client.post(url, too_long, headers=JSON)

    assert response.status_code == 400
    body = response.json()
    assert body["saved"] is False
    assert body["message"] == "Not saved: see the message under the field."
    assert list(body["errors"]) == [field_id]
    assert "5000 characters" in body["errors"][field_id]
    assert stored() == "Saved before"


def test_an_ended_session_answers_401_json_instead_of_the_sign_in_page(client, endpoint):
    url, author, valid, _, _, stored = endpoint
    client.force_login(author.user)
    Session.objects.all().delete()

    response = client.post(url, valid, headers=JSON)

    assert response.status_code == 401
    assert response.json() == {"signed_in": False, "message": "Your session has ended: sign in again."}
    assert stored() == "Saved before"


def test_without_asking_for_json_an_ended_session_still_leads_to_sign_in(client, endpoint):
    url, _, valid, _, _, stored = endpoint

    response = client.post(url, valid)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert stored() == "Saved before"
