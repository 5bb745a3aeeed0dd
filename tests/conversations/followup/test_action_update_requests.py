"""Actions the organisation owns: HR alone marks them done; the employee and the partner ask HR for an update
instead, once per action until it is done, and are told when it is."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from conversations.followup.actions import (
    ask_for_update,
    complete_action,
    remove_action,
    reopen_action,
    update_action,
)
from conversations.models import ActionUpdateRequest, AuditEvent, Notification
from conversations.personal_data import erase_person, export_personal_data
from tests.support.factories import ActionItemFactory, ConversationFactory, PersonFactory, make_hr

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager,
                               starts_at=datetime.datetime(2026, 2, 27, 10, tzinfo=UTC))


@pytest.fixture
def organisations(conversation):
    return ActionItemFactory(conversation=conversation, owner_kind="organisation", owner=None,
                             text="Fund the data engineering course", due_on=datetime.date(2026, 2, 20))


@pytest.fixture
def eli_client(client, employee):
    client.force_login(employee.user)
    return client


def test_asking_tells_every_hr_person_with_a_link_to_the_action_and_is_audited(organisations, employee, hr):
    other_hr = make_hr(PersonFactory(user__username="hugo", user__first_name="Hugo", department__name="People"))

    request, asked_now = ask_for_update(action=organisations, by=employee, now=NOW)

    assert asked_now and request.asked_by == employee and request.asked_at == NOW
    notifications = Notification.objects.filter(recipient__in=[hr, other_hr])
    assert sorted(n.recipient.name for n in notifications) == ["Hana Reed", other_hr.name]
    notification = notifications.get(recipient=hr)
    assert notification.title == ("Eli Brandt asked for an update on an organisation action: "
                                  "Fund the data engineering course")
    assert notification.body == ("Agreed in Eli Brandt's conversation with Maya Okafor on 27 February 2026. "
                                 "Mark it done once it is, and Eli Brandt is told.")
    assert notification.url == f"/conversations/commitments/#action-{organisations.pk}"
    assert notification.email_pending
    [event] = AuditEvent.objects.filter(record=AuditEvent.Record.ACTION)
    assert (event.actor, event.action, event.actor_role, event.subject) == (
        employee.user, AuditEvent.Action.UPDATE_ASKED, AuditEvent.Role.EMPLOYEE, employee)


def test_asking_again_while_the_first_request_is_open_adds_nothing(organisations, employee, manager, hr):
    first, _ = ask_for_update(action=organisations, by=employee, now=NOW)

    again, asked_now = ask_for_update(action=organisations, by=employee, now=NOW + datetime.timedelta(days=1))

    assert again == first and not asked_now
    assert Notification.objects.filter(recipient=hr).count() == 1
    # The partner asking is a request of their own.
    _, partner_asked = ask_for_update(action=organisations, by=manager, now=NOW)
    assert partner_asked and Notification.objects.filter(recipient=hr).count() == 2


def test_only_open_organisation_actions_can_be_asked_about(conversation, organisations, employee):
    own = ActionItemFactory(conversation=conversation, owner_kind="employee", owner=employee)
    with pytest.raises(ValidationError, match="organisation owns"):
        ask_for_update(action=own, by=employee, now=NOW)
    complete_action(action=organisations, now=NOW)
    with pytest.raises(ValidationError, match="done already"):
        ask_for_update(action=organisations, by=employee, now=NOW)


def test_hr_marking_it_done_tells_each_asker_once_and_clears_hrs_notifications(
        organisations, employee, manager, hr):
    ask_for_update(action=organisations, by=employee, now=NOW)
    ask_for_update(action=organisations, by=manager, now=NOW)

    complete_action(action=organisations, now=NOW + datetime.timedelta(days=1), by=hr)
    complete_action(action=organisations, now=NOW + datetime.timedelta(days=2), by=hr)

    assert not Notification.objects.filter(recipient=hr).exists()
    told = Notification.objects.filter(recipient__in=[employee, manager])
    assert sorted(n.recipient.name for n in told) == ["Eli Brandt", "Maya Okafor"]
    notification = told.get(recipient=employee)
    assert notification.title == "Done: Fund the data engineering course"
    assert notification.body == "Hana Reed (HR) marked done the organisation action you asked about."
    assert notification.url == f"/conversations/{organisations.conversation_id}/notes/#action-{organisations.pk}"
    assert not ActionUpdateRequest.objects.filter(answered_at__isnull=True).exists()
    # Reopened, it can be asked about again.
    reopen_action(action=organisations, now=NOW + datetime.timedelta(days=3))
    assert ask_for_update(action=organisations, by=employee, now=NOW + datetime.timedelta(days=3))[1]


def test_a_request_is_withdrawn_from_hrs_bell_when_the_action_is_removed_or_given_to_a_person(
        conversation, organisations, employee, hr):
    ask_for_update(action=organisations, by=employee, now=NOW)
    other = ActionItemFactory(conversation=conversation, owner_kind="organisation", owner=None, text="Budget a course")
    ask_for_update(action=other, by=employee, now=NOW)
    assert Notification.objects.filter(recipient=hr).count() == 2

    update_action(action=organisations, text="Fund the data engineering course", owner_kind="partner", due_on=None,
                  now=NOW)
    remove_action(action=other, now=NOW)

    assert not Notification.objects.filter(recipient=hr).exists()
    assert not ActionUpdateRequest.objects.exists()


def test_the_employee_gets_ask_for_an_update_not_mark_done_on_both_pages(eli_client, organisations, conversation):
    for path in (f"/conversations/{conversation.pk}/notes/", "/conversations/commitments/"):
        page = eli_client.get(path).content.decode()
        assert "Fund the data engineering course" in page
        assert "Mark done: Fund the data engineering course" not in page
        assert 'aria-label="Ask HR for an update: Fund the data engineering course"' in page
        assert "HR marks it done" in page


def test_marking_it_done_as_a_participant_is_refused(eli_client, organisations):
    response = eli_client.post(f"/conversations/actions/{organisations.pk}/done/")

    assert response.status_code == 404
    organisations.refresh_from_db()
    assert organisations.done_at is None


def test_asking_from_the_page_says_so_and_a_second_click_says_when_it_was_asked(eli_client, organisations, hr):
    response = eli_client.post(f"/conversations/actions/{organisations.pk}/ask-for-update/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/conversations/commitments/#action-{organisations.pk}"
    assert "HR has been asked for an update on “Fund the data engineering course”" in page
    asked = ActionUpdateRequest.objects.get()
    assert f"You asked HR for an update on {asked.asked_at:%-d %b %Y}" in page
    assert 'aria-label="Ask HR for an update' not in page

    again = eli_client.post(f"/conversations/actions/{organisations.pk}/ask-for-update/", follow=True)

    assert f"An update was already asked for, on {asked.asked_at:%-d %B %Y}." in again.content.decode()
    assert ActionUpdateRequest.objects.count() == 1


def test_a_get_asks_nothing(eli_client, organisations):
    response = eli_client.get(f"/conversations/actions/{organisations.pk}/ask-for-update/")

    assert response.status_code == 405
    assert not ActionUpdateRequest.objects.exists()


def test_hr_sees_who_asked_next_to_the_action(client, organisations, employee, hr):
    ask_for_update(action=organisations, by=employee, now=NOW)
    client.force_login(hr.user)

    page = client.get("/conversations/commitments/").content.decode()

    assert f'id="action-{organisations.pk}"' in page
    assert "Update asked for by Eli Brandt on 2 Mar 2026" in page
    assert "Mark done: Fund the data engineering course" in page
    assert "Ask HR for an update" not in page


def test_the_asker_finds_their_requests_in_their_data_and_erasing_them_removes_the_requests(
        organisations, employee, hr):
    ask_for_update(action=organisations, by=employee, now=NOW)

    with zipfile.ZipFile(io.BytesIO(export_personal_data(person=employee, now=NOW))) as archive:
        follow_through = json.loads(archive.read("follow_through.json"))
    assert follow_through["updates_asked_for"] == [
        {"action": "Fund the data engineering course", "asked_at": "2026-03-02T12:00:00Z", "answered_at": None}]

    employee.is_active = False
    employee.save()
    erase_person(person=employee, erased_by=hr.user, now=NOW)

    assert not ActionUpdateRequest.objects.exists()
