"""The employee's preparation: a draft only they see, autosaved, shared when they choose, aspirations carried
forward to the next one."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import preparation as preparations
from conversations.models import Conversation, Direction, Horizon, Notification, Preparation
from tests.support.factories import ActionItemFactory, ConversationFactory, PreparationFactory

pytestmark = pytest.mark.django_db

FILLED = {
    "abilities": "I untangle legacy billing code.",
    "roadblocks": "Meetings fragment my week.",
    "environment": "Quiet mornings.",
    "topics": ["skill_sets", "progression"],
    "soft_skills": "Presenting to leadership",
    "technical_skills": "Data modelling",
    "peer_differentiators": "Domain knowledge",
    "aspiration_direction": "sideways",
    "aspiration_target": "Data engineering",
    "aspiration_horizon": "1y",
}


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager)


def signed_in(client, person):
    client.force_login(person.user)
    return client


def test_aspirations_carry_forward_from_the_latest_earlier_preparation(employee, manager):
    older = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                starts_at=timezone.now() - datetime.timedelta(days=200))
    PreparationFactory(conversation=older, aspiration_direction=Direction.UP, aspiration_target="Team lead",
                       aspiration_horizon=Horizon.TWO_THREE_YEARS)
    latest = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                 starts_at=timezone.now() - datetime.timedelta(days=90))
    PreparationFactory(conversation=latest, aspiration_direction=Direction.SIDEWAYS,
                       aspiration_target="Data engineering", aspiration_horizon=Horizon.ONE_YEAR)
    cancelled = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.CANCELLED,
                                    starts_at=timezone.now() - datetime.timedelta(days=10))
    PreparationFactory(conversation=cancelled, aspiration_direction=Direction.EXPLORE)
    upcoming = ConversationFactory(employee=employee, partner=manager)

    new = preparations.preparation_for(conversation=upcoming)

    assert new.pk is None
    assert (new.aspiration_direction, new.aspiration_target, new.aspiration_horizon) == (
        "sideways", "Data engineering", "1y")
    assert new.abilities == ""


def test_a_first_preparation_starts_empty(conversation):
    new = preparations.preparation_for(conversation=conversation)

    assert (new.aspiration_direction, new.aspiration_target) == ("", "")


def test_the_form_saves_a_draft_that_the_partner_cannot_see(client, conversation, manager):
    response = signed_in(client, conversation.employee).post(
        reverse("conversations:prepare", args=[conversation.pk]), {**FILLED, "action": "save"}, follow=True)

    assert "Draft saved. Only you can see it until you share it." in response.content.decode()
    preparation = Preparation.objects.get(conversation=conversation)
    assert preparation.topics == ["skill_sets", "progression"]
    assert preparation.shared_at is None
    partner_page = signed_in(client, manager).get(conversation.get_absolute_url()).content.decode()
    assert "Eli Brandt has not shared a preparation yet." in partner_page
    assert "legacy billing" not in partner_page


def test_sharing_lets_the_partner_read_it_and_tells_them(client, conversation, manager):
    signed_in(client, conversation.employee).post(reverse("conversations:prepare", args=[conversation.pk]),
                                                  {**FILLED, "abilities": "I <b>untangle</b> code",
                                                   "action": "share"})

    preparation = Preparation.objects.get(conversation=conversation)
    assert preparation.shared_at is not None
    notification = Notification.objects.get(recipient=manager)
    assert notification.title == "Eli Brandt shared their preparation"
    assert notification.url == conversation.get_absolute_url()
    partner_page = signed_in(client, manager).get(conversation.get_absolute_url()).content.decode()
    assert "I &lt;b&gt;untangle&lt;/b&gt; code" in partner_page
    assert "Skill sets, Career progression" in partner_page
    assert "Move sideways — Data engineering (within a year)" in partner_page


def test_stopping_sharing_hides_it_again(client, conversation, manager):
    PreparationFactory(conversation=conversation, shared_at=timezone.now())

    signed_in(client, conversation.employee).post(reverse("conversations:prepare", args=[conversation.pk]),
                                                  {**FILLED, "action": "unshare"})

    assert Preparation.objects.get(conversation=conversation).shared_at is None
    assert "has not shared a preparation yet" in signed_in(client, manager).get(
        conversation.get_absolute_url()).content.decode()


def test_autosave_keeps_the_draft_and_answers_when_it_saved(client, conversation):
    response = signed_in(client, conversation.employee).post(
        reverse("conversations:autosave_preparation", args=[conversation.pk]),
        {"abilities": "Half a thought"}, headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert response.json()["message"].startswith("Draft saved at ")
    assert Preparation.objects.get(conversation=conversation).abilities == "Half a thought"


def test_too_long_text_is_marked_next_to_its_field_and_the_saved_draft_is_kept(client, conversation):
    PreparationFactory(conversation=conversation, abilities="Saved before")
    signed_in(client, conversation.employee)

    autosave = client.post(reverse("conversations:autosave_preparation", args=[conversation.pk]),
                           {**FILLED, "roadblocks": "x" * 5001})
    submit = client.post(reverse("conversations:prepare", args=[conversation.pk]),
                         {**FILLED, "roadblocks": "x" * 5001, "action": "share"})

    assert autosave.status_code == 400
    assert autosave.json()["errors"] == {
        "id_roadblocks": "Ensure this value has at most 5000 characters (it has 5001)."}
    page = submit.content.decode()
    assert "Nothing was saved yet: please correct what is marked below." in page
    field = page[page.index('id="div_id_roadblocks"'):]
    assert "Ensure this value has at most 5000 characters (it has 5001)." in field[:field.index("</textarea>") + 600]
    assert "I untangle legacy billing code." in page  # what was typed stays in the form
    preparation = Preparation.objects.get(conversation=conversation)
    assert (preparation.abilities, preparation.shared_at) == ("Saved before", None)


def test_an_unknown_topic_is_refused(client, conversation):
    response = signed_in(client, conversation.employee).post(
        reverse("conversations:prepare", args=[conversation.pk]), {**FILLED, "topics": ["salary"]})

    assert "Select a valid choice. salary is not one of the available choices." in response.content.decode()


def test_only_the_employee_prepares(client, conversation, manager, stranger):
    url = reverse("conversations:prepare", args=[conversation.pk])
    autosave = reverse("conversations:autosave_preparation", args=[conversation.pk])

    for other in (manager, stranger):
        signed_in(client, other)
        assert client.get(url).status_code == 404
        assert client.post(autosave, {"abilities": "Not mine"}).status_code == 404
    assert not Preparation.objects.exists()


def test_a_cancelled_conversations_preparation_is_kept_as_it_was(client, conversation):
    PreparationFactory(conversation=conversation)
    conversation.status = Conversation.Status.CANCELLED
    conversation.save()
    signed_in(client, conversation.employee)

    page = client.get(reverse("conversations:prepare", args=[conversation.pk])).content.decode()
    autosave = client.post(reverse("conversations:autosave_preparation", args=[conversation.pk]),
                           {"abilities": "Changed"})

    assert "its preparation is kept as it was" in page
    assert 'id="preparation-form"' not in page
    assert autosave.status_code == 409
    assert "the preparation cannot change" in autosave.json()["message"]
    assert Preparation.objects.get().abilities == "I am good at untangling legacy code; people ask me about the " \
                                                  "billing system."


def test_the_page_shows_the_previous_aspiration_and_open_actions(client, employee, manager, conversation):
    earlier = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                  starts_at=datetime.datetime(2025, 11, 4, 10, tzinfo=datetime.UTC))
    PreparationFactory(conversation=earlier, aspiration_direction=Direction.UP, aspiration_target="Staff engineer")
    ActionItemFactory(conversation=earlier, text="Lead the billing migration")
    ActionItemFactory(conversation=earlier, text="Already done", done_at=timezone.now())

    page = signed_in(client, employee).get(reverse("conversations:prepare", args=[conversation.pk])).content.decode()

    assert "In your preparation for 4 Nov 2025 you said:" in page
    assert "Move up — Staff engineer" in page
    assert "checked" in re.search(r'<input[^>]*value="up"[^>]*>', page).group()
    assert "checked" not in re.search(r'<input[^>]*value="sideways"[^>]*>', page).group()
    assert "Lead the billing migration" in page
    assert "Already done" not in page


def test_each_section_of_the_form_is_a_heading_that_heading_navigation_reaches(client, conversation):
    signed_in(client, conversation.employee)

    page = client.get(reverse("conversations:prepare", args=[conversation.pk])).content.decode()

    for title in ("1. Feedback on three areas", "2. Topics to cover", "3. Feedback I want on",
                  "4. My career aspirations"):
        assert f'<legend><h2 class="h5 mb-0">{title}</h2></legend>' in page
