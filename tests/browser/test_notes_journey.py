"""A manager runs a conversation from their team page to the agreed actions; the employee then sees what was
shared with them, and nothing that was private."""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import ActionItem, Conversation, Notes
from tests.support.factories import ConversationFactory, PreparationFactory
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PRIVATE = "Consider Eli for the data platform lead role; not discussed yet."


@pytest.fixture(autouse=True)
def default_question_library():
    """The question library as the data migration ships it: an earlier transactional test's flush empties it."""
    default_questions = importlib.import_module("conversations.migrations.0003_default_guide_questions")
    default_questions.add_default_questions(django_apps, schema_editor=None)


@pytest.fixture
def conversation(employee, manager):
    now = timezone.now()
    conversation = ConversationFactory(employee=employee, partner=manager, location="Room 4",
                                       starts_at=now - datetime.timedelta(minutes=20),
                                       ends_at=now + datetime.timedelta(minutes=25))
    PreparationFactory(conversation=conversation, abilities="I untangle legacy billing code; people ask me about it.",
                       aspiration_direction="sideways", aspiration_target="Data engineering",
                       aspiration_horizon="1y", topics=["skill_sets", "opportunities"], shared_at=now)
    return conversation


def test_a_manager_records_notes_and_an_action_and_the_employee_sees_only_what_was_shared(ui, conversation):
    page = ui.page
    ui.sign_in("maya")
    ui.goto("/people/team/")
    expect(page.get_by_role("heading", name="Eli Brandt")).to_be_visible()
    page.get_by_role("link", name="Open the next conversation with Eli Brandt").click()
    page.wait_for_url(re.compile(rf"/conversations/{conversation.pk}/notes/$"))
    ui.check()

    expect(page.get_by_text("I untangle legacy billing code; people ask me about it.")).to_be_visible()
    expect(page.get_by_text("Move sideways — Data engineering (within a year)")).to_be_visible()
    shared = page.locator("#notes-shared")
    expect(shared.get_by_text("What gets in the way of doing your best work right now?")).to_be_visible()
    shared.get_by_label("Abilities and perceived value").fill("Eli is the go-to person for billing.")
    shared.get_by_label("Summary").fill("Eli wants to move towards data engineering within a year.")
    expect(shared.get_by_role("status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))

    page.get_by_role("tab", name="Private to me").click()
    private = page.locator("#notes-private")
    private.get_by_label("Summary").fill(PRIVATE)
    expect(private.get_by_role("status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    ui.check()

    actions = page.locator("#actions")
    actions.get_by_label("Action").fill("HR to find a mentor in data engineering")
    actions.get_by_label("The organisation (HR follows it up)").check()
    actions.get_by_label("Due by").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    actions.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added.")).to_be_visible()
    expect(page.locator("#actions").get_by_text("HR to find a mentor in data engineering", exact=True)).to_be_visible()
    ui.check()

    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_text(re.compile(r"Marked as held\. Eli Brandt's next conversation is due by"))).to_be_visible()
    ui.check()

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.COMPLETED
    assert Notes.objects.get(visibility="private").summary == PRIVATE
    assert ActionItem.objects.get().owner_kind == ActionItem.Owner.ORGANISATION

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    expect(page.get_by_text("Eli wants to move towards data engineering within a year.")).to_be_visible()
    expect(page.get_by_text("Eli is the go-to person for billing.")).to_be_visible()
    expect(page.locator("#actions").get_by_text("HR to find a mentor in data engineering", exact=True)).to_be_visible()
    assert PRIVATE not in page.content()

    page.get_by_label("Your reflection").fill("I will ask to pair with the data team.")
    page.get_by_label("I have read the shared notes and actions, and they reflect our conversation").check()
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_text("Your reflection was saved.")).to_be_visible()
    ui.check()

    ui.goto("/conversations/commitments/")
    expect(page.get_by_text("HR to find a mentor in data engineering", exact=True)).to_be_visible()
    assert PRIVATE not in page.content()


def test_notes_typed_while_offline_are_kept_in_the_browser_and_saved_when_the_connection_is_back(ui, conversation):
    page = ui.page
    ui.sign_in("maya")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    page.route("**/notes/shared/", lambda route: route.abort())
    shared = page.locator("#notes-shared")
    shared.get_by_label("Roadblocks to success").fill("Meetings fragment the week.")
    expect(shared.get_by_role("status")).to_contain_text("Not saved: no connection")

    # The tab dies without a chance to send anything: no beacon on the way out.
    page.evaluate("navigator.sendBeacon = undefined")
    page.reload()
    expect(shared.get_by_label("Roadblocks to success")).to_have_value("Meetings fragment the week.")
    expect(shared.get_by_role("status")).to_contain_text("Not saved: no connection")
    assert not Notes.objects.exists()

    page.unroute("**/notes/shared/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(shared.get_by_role("status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    assert Notes.objects.get().roadblocks == "Meetings fragment the week."
    ui.check()


def test_leaving_the_page_straight_after_typing_still_saves_the_notes(ui, conversation):
    page = ui.page
    ui.sign_in("maya")
    ui.goto(f"/conversations/{conversation.pk}/notes/")

    page.locator("#notes-shared").get_by_label("Environment for the greatest contribution").fill("Quiet mornings.")
    ui.goto("/conversations/commitments/")

    # The text is encrypted in the database, so it is compared once read, not in the query.
    notes = wait_until(lambda: next((n for n in Notes.objects.all() if n.environment == "Quiet mornings."), None))
    assert notes.author == conversation.partner
