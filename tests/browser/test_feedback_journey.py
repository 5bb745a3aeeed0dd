"""Eli asks colleagues for feedback anonymously, sees it held back until three have answered, brings one answer
into his preparation, and Maya reads it once he shares the preparation; HR counts him in feedback breadth."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.support.factories import ConversationFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {"ada": "Untangles the billing code nobody else will touch.",
           "ben": "The calmest person in an incident.",
           "dev": "Explains trade-offs so that product can decide."}


@pytest.fixture
def colleagues():
    return {username: PersonFactory(user__username=username, user__first_name=first, user__last_name=last)
            for username, first, last in (("ada", "Ada", "Lovelace"), ("ben", "Ben", "Okri"),
                                          ("cleo", "Cleo", "Park"), ("dev", "Dev", "Rao"))}


@pytest.fixture
def conversation(employee, manager):
    now = timezone.now()
    return ConversationFactory(employee=employee, partner=manager, starts_at=now - datetime.timedelta(minutes=20),
                               ends_at=now + datetime.timedelta(minutes=25))


def answer_as(ui, username, *, decline=False):
    ui.sign_out()
    ui.sign_in(username)
    ui.goto("/conversations/feedback/")
    page = ui.page
    page.get_by_role("link", name="Eli Brandt").click()
    page.wait_for_url("**/conversations/feedback/answers/**")
    ui.check()
    if decline:
        page.get_by_label("Reason (optional)").fill("I have only just joined the team.")
        page.get_by_role("button", name="Decline").click()
    else:
        page.get_by_label("Abilities and perceived value").fill(ANSWERS[username])
        page.get_by_role("button", name="Send to Eli Brandt").click()
    page.wait_for_url("**/conversations/feedback/")
    ui.check()


def test_eli_gathers_anonymous_feedback_and_brings_it_into_his_conversation(ui, employee, manager, hr, colleagues,
                                                                              conversation):
    page = ui.page
    ui.sign_in("eli")
    ui.open_navigation()
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.wait_for_url("**/conversations/feedback/")
    ui.check()
    page.get_by_role("link", name="Ask for feedback").click()
    page.wait_for_url("**/conversations/feedback/ask/")
    ui.check()
    for name in ("Ada Lovelace", "Ben Okri", "Cleo Park"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_label("A personal note").fill("Before my conversation with Maya: what do you see?")
    page.get_by_label("Answers by").fill(f"{timezone.now().date() + datetime.timedelta(days=7):%Y-%m-%d}")
    page.get_by_label("Anonymous when at least 3 answer").check()
    page.get_by_label("For the conversation").select_option(str(conversation.pk))
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/conversations/feedback/requests/**")
    ui.check()
    request_path = page.url.removeprefix(ui.base_url)

    answer_as(ui, "ada")
    answer_as(ui, "ben")
    answer_as(ui, "cleo", decline=True)

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(request_path)
    expect(page.locator("#feedback-progress")).to_have_text("2 of 3 answered, 1 declined; shown when 3 have.")
    expect(page.get_by_text("Held back until 3 have answered")).to_be_visible()
    assert ANSWERS["ada"] not in page.content()
    page.get_by_label(re.compile("Dev Rao")).check()
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url(f"**{request_path}")
    ui.check()

    answer_as(ui, "dev")

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(request_path)
    expect(page.locator("#feedback-progress")).to_have_text("3 of 4 answered, 1 declined.")
    expect(page.get_by_role("article", name="An answer")).to_have_count(3)
    source = page.content()
    for text in ANSWERS.values():
        assert text in source
    for name in ("Ada", "Lovelace", "Ben Okri", "Dev Rao", "Cleo"):
        assert name not in source
    page.get_by_label("A colleague on Abilities and perceived value").first.check()
    page.get_by_role("button", name="Add to my preparation").click()
    page.wait_for_url(f"**/conversations/{conversation.pk}/preparation/")
    ui.check()
    brought = page.get_by_label("Abilities and perceived value").input_value()
    assert brought.startswith("Feedback from A colleague: ")
    quoted = brought.removeprefix("Feedback from A colleague: ")
    assert quoted in ANSWERS.values()

    ui.sign_out()
    ui.sign_in("maya")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    assert quoted not in page.content()

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/preparation/")
    page.get_by_role("button", name="Save and share with Maya Okafor").click()
    # The page's messages region; the autosave status line is a live region of its own.
    expect(page.locator("#messages")).to_contain_text("Shared with Maya Okafor.", timeout=15_000)
    ui.check()

    ui.sign_out()
    ui.sign_in("maya")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    expect(page.get_by_text(f"Feedback from A colleague: {quoted}")).to_be_visible()

    ui.sign_out()
    ui.sign_in("hana")
    ui.goto("/conversations/participation/")
    breadth = page.locator(".card", has=page.get_by_role("heading", name="Feedback breadth", exact=True))
    expect(breadth).to_contain_text("1 of 7 active employees")
