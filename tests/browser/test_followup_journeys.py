"""Journeys after a conversation, on a laptop and on a phone: roadblocks carry forward in time only; a conversation
whose notes have locked is read-only everywhere and says since when; a partner who was booked hears of it under the
bell and lands on the conversation."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.followup.carryover import raise_roadblock
from conversations.models import Conversation, Roadblock
from tests.support.factories import ActionItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def held(employee, partner, days_ago):
    held_at = timezone.now() - datetime.timedelta(days=days_ago)
    return Conversation.objects.create(
        employee=employee, partner=partner, booked_by=employee, starts_at=held_at,
        ends_at=held_at + datetime.timedelta(minutes=30), status=Conversation.Status.COMPLETED, held_at=held_at)


def carried_over(ui):
    return ui.page.get_by_role("region", name="From earlier conversations")


def roadblocks(ui):
    return ui.page.get_by_role("region", name="Roadblocks")


@pytest.mark.parametrize("size", SIZES)
def test_a_roadblock_is_carried_forward_in_time_only(ui, employee, manager, size):
    # Both conversations still take notes: the earlier held five days ago, the later yesterday.
    earlier = held(employee, manager, days_ago=5)
    later = held(employee, manager, days_ago=1)
    ui.page.set_viewport_size(SIZES[size])
    ui.sign_in("maya")

    ui.goto(f"/conversations/{later.pk}/notes/")
    roadblocks(ui).get_by_label("Roadblock").fill("Reorganisation in the spring")
    roadblocks(ui).get_by_role("button", name="Add roadblock").click()
    ui.page.wait_for_url(f"**/conversations/{later.pk}/notes/#roadblocks")
    ui.check()
    expect(roadblocks(ui).get_by_text("Reorganisation in the spring", exact=True)).to_be_visible()
    expect(roadblocks(ui).get_by_text("Raised in 1 conversation, including this one")).to_be_visible()
    # Raised here, it is this conversation's own, not something it started from.
    expect(carried_over(ui)).not_to_contain_text("Reorganisation in the spring")

    ui.goto(f"/conversations/{earlier.pk}/notes/")
    expect(ui.page.get_by_text("Reorganisation in the spring")).to_have_count(0)
    roadblocks(ui).get_by_label("Roadblock").fill("No time for deep work")
    roadblocks(ui).get_by_role("button", name="Add roadblock").click()
    ui.page.wait_for_url(f"**/conversations/{earlier.pk}/notes/#roadblocks")
    ui.check()
    expect(ui.page.get_by_text("Reorganisation in the spring")).to_have_count(0)

    ui.goto(f"/conversations/{later.pk}/notes/")
    expect(carried_over(ui).get_by_role("heading", name="Roadblocks raised before")).to_be_visible()
    expect(carried_over(ui).get_by_text("No time for deep work")).to_be_visible()
    expect(carried_over(ui)).not_to_contain_text("Reorganisation in the spring")
    still = roadblocks(ui).get_by_role("button", name=re.compile("^Still in the way.*No time for deep work"))
    expect(still).to_be_visible()
    # The conversation page shows the same carry-over.
    ui.goto(f"/conversations/{later.pk}/")
    followup = ui.page.get_by_role("region", name="Notes and actions")
    expect(followup.get_by_text("No time for deep work")).to_be_visible()
    expect(followup).not_to_contain_text("Reorganisation in the spring")
    ui.goto(f"/conversations/{earlier.pk}/")
    expect(ui.page.get_by_text("Reorganisation in the spring")).to_have_count(0)
    assert Roadblock.objects.count() == 2


@pytest.mark.parametrize("size", SIZES)
def test_a_conversation_whose_notes_locked_is_read_only_and_says_since_when(ui, employee, manager, size):
    conversation = held(employee, manager, days_ago=20)
    locked_at = conversation.held_at + datetime.timedelta(days=7)
    raise_roadblock(conversation=conversation, by=manager, text="On-call eats focus time",
                    now=conversation.held_at)
    action = ActionItemFactory(conversation=conversation, text="Shadow the data team", owner=employee,
                               owner_kind="employee")
    ui.page.set_viewport_size(SIZES[size])

    for username in ("maya", "eli"):
        ui.sign_out()
        ui.sign_in(username)
        ui.goto(f"/conversations/{conversation.pk}/notes/")
        when = timezone.localtime(locked_at, employee.tz)
        expect(ui.page.get_by_text(f"Locked on {when:%-d %b %Y, %H:%M}")).to_be_visible()
        expect(ui.page.get_by_text("Shadow the data team")).to_be_visible()
        expect(ui.page.get_by_text("On-call eats focus time").first).to_be_visible()
        for name in ("Add action", "Add roadblock", "Save shared notes", "Save private notes", "Still in the way",
                     "Resolved", "Reopen"):
            expect(ui.page.get_by_role("button", name=re.compile(f"^{name}"))).to_have_count(0)
        expect(ui.page.get_by_role("heading", name="Add an action")).to_have_count(0)
        expect(ui.page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
        # Following through goes on after the record locked: the action can still be marked done, and the employee
        # can still give their reflection on the conversation; nothing of the record can be typed into.
        expect(ui.page.get_by_role("button", name=re.compile("^Mark done.*Shadow the data team"))).to_be_visible()
        textboxes = ui.page.get_by_role("textbox")
        if username == "eli":
            expect(textboxes).to_have_count(1)
            expect(textboxes).to_have_accessible_name(re.compile("^Your reflection"))
        else:
            expect(textboxes).to_have_count(0)

        ui.goto(f"/conversations/{conversation.pk}/")
        expect(ui.page.get_by_text(f"Read-only: the record locked on {when:%-d %b %Y, %H:%M}")).to_be_visible()
        expect(ui.page.get_by_role("link", name="See the notes")).to_be_visible()

    # Even by its address, the action's edit page shows the lock instead of a form.
    ui.goto(f"/conversations/actions/{action.pk}/")
    expect(ui.page.get_by_role("heading", name="Action", exact=True)).to_be_visible()
    expect(ui.page.get_by_text(f"Locked on {when:%-d %b %Y, %H:%M}")).to_be_visible()
    expect(ui.page.get_by_role("button", name="Save action")).to_have_count(0)


@pytest.mark.parametrize("size", SIZES)
def test_a_mentor_who_was_booked_sees_it_under_the_bell_and_lands_on_the_conversation(ui, employee, mentor, size):
    ui.page.set_viewport_size(SIZES[size])
    ui.sign_in("eli")
    ui.goto("/conversations/book/")
    ui.page.get_by_role("link", name="Free times of Mina Sato").click()
    expect(ui.page.get_by_role("heading", name="Choose a time with Mina Sato")).to_be_visible()
    ui.check()
    ui.page.locator(".slot-button").first.click()
    expect(ui.page.get_by_role("heading", name="Confirm your career conversation")).to_be_visible()
    ui.check()
    ui.page.get_by_role("button", name="Book this time").click()
    expect(ui.page.get_by_role("heading", name="Your career conversation is booked")).to_be_visible()
    ui.check()
    conversation = Conversation.objects.get()

    ui.sign_out()
    ui.sign_in("mina")
    ui.page.get_by_role("link", name="Notifications, 1 unread").click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()
    when = timezone.localtime(conversation.starts_at, mentor.tz)
    title = f"Eli Brandt booked a career conversation with you on {when:%a %-d %b %Y, %H:%M} {when.tzname()}"
    ui.page.get_by_role("link", name=title).click()
    ui.page.wait_for_url(f"**/conversations/{conversation.pk}/")
    ui.check()
    expect(ui.page.get_by_role("heading", name=re.compile("Career conversation with Eli Brandt"))).to_be_visible()
    expect(ui.page.get_by_role("link", name="Notifications, none unread")).to_be_visible()
