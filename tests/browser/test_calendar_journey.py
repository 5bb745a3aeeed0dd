"""A partner connects their calendar's subscription address in a real Chromium, axe-core on every page, at phone
and desktop widths: the time it shows busy is no longer offered to their report; then they disconnect it."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.availability import free_slots
from conversations.models import BusyInterval, CalendarConnection
from tests.support.calendar_feed import feed_server  # noqa: F401 (a fixture for the test here)

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def feed_busy_at(slot):
    stamp = "%Y%m%dT%H%M%SZ"
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\nUID:design-review\r\n"
            f"DTSTAMP:20260101T000000Z\r\nSUMMARY:Design review\r\n"
            f"DTSTART:{slot.starts_at.astimezone(datetime.UTC):{stamp}}\r\n"
            f"DTEND:{slot.ends_at.astimezone(datetime.UTC):{stamp}}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def at_both_widths(ui, name):
    """axe at desktop and phone widths, with a full-page screenshot of each when SCREENSHOT_DIR is set."""
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        ui.page.set_viewport_size(viewport)
        ui.check()
        if SCREENSHOTS:
            ui.page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{label}.png"), full_page=True)


def test_a_partner_connects_a_subscription_and_its_busy_time_is_not_offered(ui, employee, manager,
                                                                             feed_server):  # noqa: F811
    busy, still_free = free_slots(partner=manager, employee=employee, now=timezone.now())[:2]
    feed_server.body, feed_server.headers = feed_busy_at(busy), {"Content-Type": "text/calendar"}

    ui.sign_in("maya")
    ui.open_menu("Maya Okafor")
    ui.page.get_by_role("link", name="My availability").click()
    expect(ui.page.get_by_role("heading", name="My calendars")).to_be_visible()
    ui.page.get_by_label("Subscription address").fill(feed_server.url)
    ui.page.get_by_role("button", name="Connect address").click()

    expect(ui.page.get_by_text("Calendar 127.0.0.1 connected")).to_be_visible()
    calendar = ui.page.get_by_role("article", name="127.0.0.1")
    expect(calendar).to_contain_text("Last read")
    expect(calendar).to_contain_text("1 busy time ahead.")
    at_both_widths(ui, "calendar-connected")
    assert list(BusyInterval.objects.values_list("starts_at", "ends_at")) == [(busy.starts_at, busy.ends_at)]

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(f"/conversations/book/{manager.pk}/")
    expect(ui.page.get_by_role("heading", name="Choose a time with Maya Okafor")).to_be_visible()
    expect(ui.page.locator(f'a[href$="?start={still_free.key}"]')).to_have_count(1)
    expect(ui.page.locator(f'a[href$="?start={busy.key}"]')).to_have_count(0)
    at_both_widths(ui, "booking-without-busy-time")

    ui.sign_out()
    ui.sign_in("maya")
    ui.goto("/conversations/availability/")
    calendar.get_by_role("button", name="Disconnect").click()
    expect(ui.page.get_by_text("127.0.0.1 disconnected: its busy times and saved credentials are gone.")) \
        .to_be_visible()
    expect(ui.page.get_by_role("article", name="127.0.0.1")).to_have_count(0)
    ui.check()
    assert not CalendarConnection.objects.exists() and not BusyInterval.objects.exists()
