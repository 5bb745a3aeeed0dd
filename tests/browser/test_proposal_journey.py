"""A manager proposes a time from the team page's propose form; the employee answers from their home page; the time
is booked; the employee hears of shared notes under the bell. Walked on a laptop and on a phone."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from conversations.followup.notes import save_notes
from conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(ui, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ui.page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_proposed_time_is_answered_from_home_and_then_booked(ui, employee, manager, size):
    ui.page.set_viewport_size(SIZES[size])
    ui.sign_in("maya")
    ui.goto(f"/people/team/{employee.pk}/propose/")
    shot(ui, "propose", size)
    first_free = ui.page.get_by_role("region", name="Times free for you both").get_by_role("link").first
    first_free.click()
    ui.page.wait_for_load_state("load")
    ui.check()
    ui.page.get_by_role("button", name="Propose this time").click()
    ui.page.wait_for_url("**/notes/")
    ui.check()
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.REQUESTED

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto("/")
    heading = ui.page.get_by_role("heading", name="Maya Okafor proposed a time: awaiting your answer")
    assert heading.is_visible()
    shot(ui, "home-proposal", size)
    ui.page.get_by_role("button", name="Accept this time").click()
    ui.page.wait_for_load_state("load")
    ui.check()

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CONFIRMED
    assert ui.page.get_by_role("heading", name="Maya Okafor proposed a time: awaiting your answer").count() == 0


@pytest.mark.parametrize("size", SIZES)
def test_shared_notes_reach_the_employee_under_the_bell(ui, employee, manager, size):
    held_at = timezone.now() - datetime.timedelta(days=1)
    conversation = Conversation.objects.create(
        employee=employee, partner=manager, booked_by=employee, starts_at=held_at,
        ends_at=held_at + datetime.timedelta(minutes=30), status=Conversation.Status.COMPLETED, held_at=held_at)
    save_notes(conversation=conversation, author=manager, visibility="shared",
               values={"summary": "Eli wants to move towards data engineering."}, now=timezone.now())
    ui.page.set_viewport_size(SIZES[size])
    ui.sign_in("eli")

    ui.page.get_by_role("link", name="Notifications, 1 unread").click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()
    shot(ui, "bell-shared-notes", size)
    ui.page.get_by_role("link", name="Maya Okafor shared their notes on your conversation").click()
    ui.page.wait_for_url(f"**/conversations/{conversation.pk}/")
    ui.check()

    assert ui.page.get_by_text("Eli wants to move towards data engineering.").is_visible()
