"""Leaving is one thing however it arrives: from the HR system's file or from the identity provider over SCIM, the
person can no longer sign in, their history stays, and their coming conversations are called off with a calendar
cancellation to everyone who was to be there."""

import datetime
import json

import pytest
from django.utils import timezone

from conversations.models import Conversation
from people.importing import apply_import, read_people_file
from people.scim import tokens
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db

HEADER = "Employee ID,Email,First name,Last name,Job title,Department,Manager,Timezone,Start date,Status\n"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def leave_by_import(client, person, now):
    row = f"E100,{person.user.email},Eli,Brandt,Engineer,Engineering,,,2020-01-06,Left\n"
    outcome = apply_import(read_people_file((HEADER + row).encode()), full=False, today=now.date(), now=now)
    assert outcome.applied


def _scim(client, method, person, body=None):
    secret = tokens.create_token(name="Entra ID", created_by=None, now=timezone.now())[1]
    answer = client.generic(method, f"/scim/v2/Users/{person.pk}", json.dumps(body) if body else "",
                            content_type="application/scim+json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code in (200, 204), answer.content


def leave_by_scim_deactivation(client, person, now):
    _scim(client, "PATCH", person, {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active",
                                                                         "value": False}]})


def leave_by_scim_delete(client, person, now):
    _scim(client, "DELETE", person)


@pytest.mark.parametrize("leave", [leave_by_import, leave_by_scim_deactivation, leave_by_scim_delete],
                         ids=["people import", "SCIM active false", "SCIM DELETE"])
def test_someone_who_leaves_has_their_coming_conversations_called_off_with_calendar_cancellations(
        leave, client, employee, manager, mentor, django_capture_on_commit_callbacks, mailoutbox):
    employee.employee_id = "E100"
    employee.save(update_fields=["employee_id"])
    now = timezone.now()
    with_manager = ConversationFactory(employee=employee, partner=manager, starts_at=now + datetime.timedelta(days=2))
    with_mentor = ConversationFactory(employee=employee, partner=mentor, starts_at=now + datetime.timedelta(days=3))
    held = ConversationFactory(employee=employee, partner=manager, starts_at=now - datetime.timedelta(days=30),
                               status=Conversation.Status.COMPLETED)

    with django_capture_on_commit_callbacks(execute=True):
        leave(client, employee, now)

    employee.refresh_from_db()
    employee.user.refresh_from_db()
    assert (employee.is_active, employee.user.is_active, employee.left_on) == (False, False, now.date())
    for conversation in (with_manager, with_mentor):
        conversation.refresh_from_db()
        assert (conversation.status, conversation.sequence) == (Conversation.Status.CANCELLED, 1)
        assert conversation.change_reason == "Called off because a participant has left the organisation."
    held.refresh_from_db()
    assert held.status == Conversation.Status.COMPLETED
    assert sorted(message.to[0] for message in mailoutbox) == [
        "eli@example.com", "eli@example.com", "maya@example.com", "mina@example.com"]
    assert all("METHOD:CANCEL" in message.attachments[0].content.decode() for message in mailoutbox)
