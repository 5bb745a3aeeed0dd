"""The session ends while someone writes notes or a preparation: what they type stays in the field and in the
browser, the focus stays where they type, the status line says how to sign in again, and after signing in the
draft comes back and is saved."""

import datetime
import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import Notes, Preparation
from tests.support.factories import PASSWORD, ConversationFactory
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ENDED = ("Not saved: your session has ended. Your text is kept in this browser and is saved once you are back. "
         "Sign in again")
SAVED = re.compile(r"^(Draft saved|Saved) at \d\d:\d\d\.$")
RESTORED_AND_SAVED = re.compile(r"^Restored text that had not been saved yet\. (Draft saved|Saved) at \d\d:\d\d\.$")
TYPED = "Meetings fragment my week. Mornings are quiet. Fridays too."


def draft_in_browser(page, key):
    raw = page.evaluate("key => window.localStorage.getItem(key)", key)
    return json.loads(raw) if raw else None


def write_through_the_end_of_a_session(ui, form, *, label, draft_key):
    """Type, see it saved, lose the session, type on."""
    page = ui.page
    field = form.get_by_label(label)
    status = form.get_by_role("status")
    title = page.title()

    field.click()
    page.keyboard.type("Meetings fragment my week.")
    expect(status).to_have_text(SAVED)

    Session.objects.all().delete()
    page.keyboard.type(" Mornings are quiet.")
    expect(status).to_have_text(ENDED)
    expect(field).to_be_focused()
    assert page.title() == title
    assert page.get_by_label("Username").count() == 0

    page.keyboard.type(" Fridays too.")
    expect(field).to_have_value(TYPED)
    expect(field).to_be_focused()
    expect(status).to_have_text(ENDED)
    assert TYPED in draft_in_browser(page, draft_key).values()
    ui.check()


def sign_in_again_from_the_status_line(ui, form, username):
    page = ui.page
    form.get_by_role("status").get_by_role("link", name="Sign in again").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    ui.check()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_notes_typed_after_the_session_ended_are_kept_and_saved_after_signing_in(ui, employee, manager):
    now = timezone.now()
    conversation = ConversationFactory(employee=employee, partner=manager,
                                       starts_at=now - datetime.timedelta(minutes=20),
                                       ends_at=now + datetime.timedelta(minutes=25))
    draft_key = f"careerconv-notes-{conversation.pk}-shared-{manager.pk}"
    ui.sign_in("maya")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    shared = ui.page.locator("#notes-shared form")

    write_through_the_end_of_a_session(ui, shared, label="Roadblocks to success", draft_key=draft_key)
    assert Notes.objects.get().roadblocks == "Meetings fragment my week."

    sign_in_again_from_the_status_line(ui, shared, "maya")
    ui.page.wait_for_url(re.compile(rf"/conversations/{conversation.pk}/notes/$"))
    expect(shared.get_by_label("Roadblocks to success")).to_have_value(TYPED)
    expect(shared.get_by_role("status")).to_have_text(RESTORED_AND_SAVED)
    assert Notes.objects.get().roadblocks == TYPED
    assert draft_in_browser(ui.page, draft_key) is None
    ui.check()


def test_a_preparation_typed_after_the_session_ended_is_kept_and_saved_after_signing_in(ui, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    draft_key = f"careerconv-preparation-{conversation.pk}-{employee.pk}"
    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/preparation/")
    form = ui.page.locator("#preparation-form")
    form.get_by_label("Move sideways").check()

    write_through_the_end_of_a_session(ui, form, label="My roadblocks to success", draft_key=draft_key)
    assert Preparation.objects.get().roadblocks == "Meetings fragment my week."

    sign_in_again_from_the_status_line(ui, form, "eli")
    ui.page.wait_for_url(re.compile(rf"/conversations/{conversation.pk}/preparation/$"))
    expect(form.get_by_label("My roadblocks to success")).to_have_value(TYPED)
    expect(form.get_by_label("Move sideways")).to_be_checked()
    expect(form.get_by_role("status")).to_have_text(RESTORED_AND_SAVED)
    preparation = Preparation.objects.get()
    assert (preparation.roadblocks, preparation.aspiration_direction) == (TYPED, "sideways")
    assert draft_in_browser(ui.page, draft_key) is None
    ui.check()


def test_sharing_a_preparation_after_the_session_ended_keeps_the_text_on_the_page(ui, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/preparation/")
    form = ui.page.locator("#preparation-form")
    Session.objects.all().delete()

    field = form.get_by_label("The environment where I contribute most")
    field.fill("A clear brief.")
    form.get_by_role("button", name="Save and share with Maya Okafor").click()

    expect(form.get_by_role("status")).to_have_text(ENDED)
    expect(field).to_have_value("A clear brief.")
    assert "/preparation/" in ui.page.url
    assert not Preparation.objects.exists()


def test_sharing_a_preparation_saves_it_and_the_browser_keeps_no_copy(ui, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    draft_key = f"careerconv-preparation-{conversation.pk}-{employee.pk}"
    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/preparation/")
    form = ui.page.locator("#preparation-form")

    form.get_by_label("The environment where I contribute most").fill("A clear brief.")
    form.get_by_role("button", name="Save and share with Maya Okafor").click()

    expect(ui.page.get_by_text("Shared with Maya Okafor.")).to_be_visible()
    preparation = wait_until(lambda: Preparation.objects.filter(shared_at__isnull=False).first())
    assert preparation.environment == "A clear brief."
    assert draft_in_browser(ui.page, draft_key) is None
    ui.check()
