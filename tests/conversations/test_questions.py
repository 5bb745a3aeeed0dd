"""The question library: seeded with a default set per area, edited by HR, shown to partners beside each area."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations.models import Area, GuideQuestion
from conversations.questions import add_question, move_question, questions_by_area, set_active, update_question
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db

seeding = importlib.import_module("conversations.migrations.0003_default_guide_questions")


@pytest.fixture(autouse=True)
def library_as_migrated():
    """The library as its data migration leaves it. A transactional test that ran before in the same test process
    flushes every table, the migration's rows included."""
    if not GuideQuestion.objects.exists():
        seeding.add_default_questions(apps, None)


def test_every_area_starts_with_open_questions():
    grouped = questions_by_area()

    assert {area: len(questions) for area, questions in grouped.items()} == {
        "abilities": 5, "roadblocks": 5, "environment": 5, "soft_skills": 3, "technical_skills": 3,
        "peer_differentiators": 3,
    }
    assert grouped["roadblocks"][0].text == "What gets in the way of doing your best work right now?"
    assert all(question.text.endswith("?") for questions in grouped.values() for question in questions)


def test_a_new_question_goes_to_the_end_of_its_area():
    question = add_question(area=Area.ENVIRONMENT, text="  What   would make  Mondays better? ")

    assert question.text == "What would make Mondays better?"
    assert questions_by_area()["environment"][-1] == question


def test_the_same_question_twice_in_an_area_is_refused():
    with pytest.raises(ValidationError, match="already has that question"):
        add_question(area=Area.ROADBLOCKS, text="what gets in the way of doing your best work right now?")


def test_moving_a_question_swaps_it_with_its_neighbour():
    first, second = questions_by_area()["soft_skills"][:2]

    move_question(question=second, up=True)

    assert [q.pk for q in questions_by_area()["soft_skills"][:2]] == [second.pk, first.pk]


def test_moving_the_first_question_up_leaves_the_order_as_it_was():
    before = [q.pk for q in questions_by_area()["soft_skills"]]

    move_question(question=GuideQuestion.objects.get(pk=before[0]), up=True)

    assert [q.pk for q in questions_by_area()["soft_skills"]] == before


def test_a_retired_question_is_hidden_from_partners_but_kept():
    question = questions_by_area()["abilities"][0]

    set_active(question=question, active=False)

    assert question not in questions_by_area()["abilities"]
    assert question in questions_by_area(include_retired=True)["abilities"]


def test_moving_a_question_to_another_area_puts_it_last_there():
    question = questions_by_area()["abilities"][0]

    update_question(question=question, area=Area.PEER_DIFFERENTIATORS, text=question.text)

    assert questions_by_area()["peer_differentiators"][-1] == question


def test_hr_adds_a_question_from_the_library_page(client, hr):
    client.force_login(hr.user)

    response = client.post(reverse("conversations:questions"),
                           {"area": "technical_skills", "text": "Which tool would you like to master next?"})

    assert response.status_code == 302
    assert questions_by_area()["technical_skills"][-1].text == "Which tool would you like to master next?"


def test_an_empty_question_is_refused_next_to_the_field(client, hr):
    client.force_login(hr.user)

    response = client.post(reverse("conversations:questions"), {"area": "technical_skills", "text": ""})

    assert response.status_code == 400
    assert "Write the question." in response.content.decode()


def test_partners_see_the_questions_and_employees_do_not(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    question = "Think of a week when you did your best work: what was around you?"
    url = reverse("conversations:notes", args=[conversation.pk])

    client.force_login(manager.user)
    partner_page = client.get(url).content.decode()
    client.force_login(employee.user)
    employee_page = client.get(url).content.decode()

    assert question in partner_page
    assert question not in employee_page


def test_a_retired_question_is_not_shown_to_partners(client, employee, manager, hr):
    conversation = ConversationFactory(employee=employee, partner=manager)
    question = questions_by_area()["environment"][0]
    client.force_login(hr.user)
    client.post(reverse("conversations:change_question", args=[question.pk]), {"change": "retire"})

    client.force_login(manager.user)
    body = client.get(reverse("conversations:notes", args=[conversation.pk])).content.decode()

    assert "Think of a week when you did your best work" not in body
