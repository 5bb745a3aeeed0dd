"""Actions the organisation owns. The employee cannot mark one done and asks HR for an update instead; HR opens the
notification, lands on that action, marks it done; the employee is told. HR's one item about overdue actions
follows them as they are marked done. Walked on a laptop and on a phone."""

import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import ActionItem, Conversation
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from tests.support.factories import ActionItemFactory
from tests.support.reminding import held, settle

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TEXT = "Fund the data engineering course"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(ui, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ui.page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_employee_asks_hr_for_an_update_hr_marks_it_done_and_the_employee_is_told(
        ui, employee, manager, hr, size):
    held_at = timezone.now() - datetime.timedelta(days=20)
    conversation = Conversation.objects.create(
        employee=employee, partner=manager, booked_by=employee, starts_at=held_at,
        ends_at=held_at + datetime.timedelta(minutes=30), status=Conversation.Status.COMPLETED, held_at=held_at)
    # Other open organisation actions before it on HR's list, so that landing on the right one matters.
    for number in range(12):
        ActionItemFactory(conversation=conversation, owner_kind="organisation", owner=None,
                          text=f"Earlier organisation action {number}",
                          due_on=timezone.localdate() - datetime.timedelta(days=30))
    action = ActionItemFactory(conversation=conversation, owner_kind="organisation", owner=None, text=TEXT,
                               due_on=timezone.localdate() - datetime.timedelta(days=5))
    ui.page.set_viewport_size(SIZES[size])

    ui.sign_in("eli")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    row = ui.page.locator(f"#action-{action.pk}")
    expect(row.get_by_text("HR marks it done")).to_be_visible()
    assert row.get_by_role("button", name=f"Mark done: {TEXT}").count() == 0
    row.get_by_role("button", name=f"Ask HR for an update: {TEXT}").click()
    ui.page.wait_for_url(f"**/conversations/{conversation.pk}/notes/#action-{action.pk}")
    ui.check()
    expect(ui.page.get_by_text(f"HR has been asked for an update on “{TEXT}”.")).to_be_visible()
    expect(ui.page.locator(f"#action-{action.pk}").get_by_text("You asked HR for an update on")).to_be_visible()
    shot(ui, "organisation-action-asked", size)
    # On "My commitments" too, the asking is shown instead of the button.
    ui.goto("/conversations/commitments/")
    commitment = ui.page.locator(f"#action-{action.pk}")
    expect(commitment.get_by_text("You asked HR for an update on")).to_be_visible()
    assert commitment.get_by_role("button").count() == 0

    ui.sign_out()
    ui.sign_in("hana")
    ui.page.get_by_role("link", name="Notifications, 1 unread").click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()
    ui.page.get_by_role("link", name=f"Eli Brandt asked for an update on an organisation action: {TEXT}").click()
    ui.page.wait_for_url(f"**/conversations/commitments/#action-{action.pk}")
    ui.check()
    landed = ui.page.locator(f"#action-{action.pk}")
    expect(landed).to_be_in_viewport()
    today = timezone.localdate()
    expect(landed.get_by_text(f"Update asked for by Eli Brandt on {today:%-d %b %Y}")).to_be_visible()
    shot(ui, "organisation-action-hr", size)
    landed.get_by_role("button", name=f"Mark done: {TEXT}").click()
    ui.page.wait_for_load_state("load")
    ui.check()
    expect(ui.page.get_by_text(f"“{TEXT}” marked done.")).to_be_visible()
    action.refresh_from_db()
    assert action.done_at is not None
    expect(ui.page.get_by_role("link", name="Notifications, none unread")).to_be_visible()

    ui.sign_out()
    ui.sign_in("eli")
    ui.page.get_by_role("link", name="Notifications, 1 unread").click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()
    ui.page.get_by_role("link", name=f"Done: {TEXT}").click()
    ui.page.wait_for_url(f"**/conversations/{conversation.pk}/notes/#action-{action.pk}")
    ui.check()
    done_row = ui.page.locator(f"#action-{action.pk}")
    expect(done_row).to_be_in_viewport()
    expect(done_row.get_by_text(f"done {today:%-d %b %Y}")).to_be_visible()
    assert ActionItem.objects.filter(owner_kind="organisation", done_at__isnull=False).count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_hrs_overdue_item_under_the_bell_follows_the_actions_as_they_are_marked_done(
        ui, employee, manager, mentor, hr, size):
    # The sweep at 10:00 in London today, when reminders may be sent; the actions fell due before today.
    today = timezone.localdate()
    morning = datetime.datetime.combine(today, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    settle(employee, manager, mentor, hr, today=today)
    conversation = held(employee, manager, morning - datetime.timedelta(days=30))
    texts = ["Fund the data engineering course", "Open a data engineering role", "Budget a conference"]
    actions = [ActionItemFactory(conversation=conversation, owner_kind="organisation", owner=None, text=text,
                                 due_on=today - datetime.timedelta(days=3 - number))
               for number, text in enumerate(texts)]
    sweep(now=morning, enqueue=publish)
    ui.page.set_viewport_size(SIZES[size])

    ui.sign_in("hana")
    ui.page.get_by_role("link", name="Notifications, 1 unread").click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()
    item = ui.page.locator(".notification-list > li")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name="3 organisation actions are overdue")).to_be_visible()
    expect(item.get_by_role("listitem")).to_have_count(3)
    item.get_by_role("link", name="3 organisation actions are overdue").click()
    ui.page.wait_for_url("**/conversations/commitments/")
    ui.check()
    ui.page.get_by_role("button", name=f"Mark done: {texts[1]}").click()
    ui.page.wait_for_load_state("load")
    ui.check()

    ui.goto("/conversations/notifications/")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name="2 organisation actions are overdue")).to_be_visible()
    entries = item.get_by_role("listitem")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(texts[0])
    expect(entries.last).to_contain_text(texts[2])
    shot(ui, "organisation-bundle", size)

    for action in (actions[0], actions[2]):
        ui.goto("/conversations/commitments/")
        ui.page.get_by_role("button", name=f"Mark done: {action.text}").click()
        ui.page.wait_for_load_state("load")
        ui.check()
    ui.goto("/conversations/notifications/")
    expect(item).to_have_count(0)
    expect(ui.page.get_by_text("No notifications yet.")).to_be_visible()
