"""The employee's journey in a real Chromium on a phone-sized screen, axe-core on every page: book the manager,
prepare and share, see it on the timeline, download the invite; then the manager moves it and it is cancelled."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from conversations.models import Conversation, Preparation
from tests.support.factories import ConversationFactory, PreparationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_books_prepares_shares_and_downloads_the_invite(ui, employee, manager):
    ui.sign_in("eli")

    ui.open_navigation()
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Book a conversation").click()
    expect(ui.page.get_by_role("heading", name="Book a career conversation")).to_be_visible()
    ui.check()
    ui.page.get_by_role("link", name="See Maya’s free times").click()
    expect(ui.page.get_by_role("heading", name="Choose a time with Maya Okafor")).to_be_visible()
    ui.check()

    first_slot = ui.page.locator(".slot-button").first
    chosen_time = first_slot.inner_text().split()[0]
    first_slot.click()
    expect(ui.page.get_by_role("heading", name="Confirm your career conversation")).to_be_visible()
    ui.check()
    ui.page.get_by_label("Place or video link").fill("https://meet.example.com/eli-maya")
    expect(ui.page.get_by_label("Standalone career conversation")).to_be_checked()
    ui.page.get_by_role("button", name="Book this time").click()

    expect(ui.page.get_by_role("heading", name="Your career conversation is booked")).to_be_visible()
    expect(ui.page.get_by_text(f", {chosen_time}–")).to_be_visible()
    ui.check()
    conversation = Conversation.objects.get()
    assert conversation.partner == manager and conversation.location == "https://meet.example.com/eli-maya"
    assert sorted(message.to[0] for message in mail.outbox) == ["eli@example.com", "maya@example.com"]

    ui.page.get_by_role("link", name="Prepare now").click()
    expect(ui.page.get_by_role("heading", name="Prepare for your conversation with Maya Okafor")).to_be_visible()
    ui.check()
    ui.page.get_by_label("My abilities and perceived value").fill("I keep the billing system running.")
    expect(ui.page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible(timeout=10_000)
    assert Preparation.objects.get().abilities == "I keep the billing system running."
    ui.check()
    ui.page.get_by_label("My roadblocks to success").fill("On-call eats my focus time.")
    ui.page.get_by_label("Career progression").check()
    ui.page.get_by_label("Move sideways").check()
    ui.page.get_by_label("Target role or area").fill("Data engineering")
    ui.page.get_by_label("When").select_option(label="Within a year")
    ui.page.get_by_role("button", name="Save and share with Maya Okafor").click()

    expect(ui.page.get_by_text("Shared with Maya Okafor. They also see the changes you save from now on.")) \
        .to_be_visible()
    expect(ui.page.get_by_text("Preparation shared.")).to_be_visible()
    ui.check()

    ui.open_navigation()
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="My conversations").click()
    expect(ui.page.get_by_text("Preparation shared")).to_be_visible()
    ui.check()
    ui.page.get_by_role("link", name="My career timeline").click()
    expect(ui.page.get_by_role("heading", name="My career timeline")).to_be_visible()
    expect(ui.page.get_by_text("Move sideways — Data engineering (within a year)").first).to_be_visible()
    ui.check()

    ui.page.get_by_role("link", name=re.compile(r"^\d+ \w+ \d{4}$")).first.click()
    with ui.page.expect_download() as download_info:
        ui.page.get_by_role("link", name="Download invitation (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"career-conversation-{conversation.pk}.ics"
    event = Calendar.from_ical(open(download.path(), "rb").read()).walk("VEVENT")[0]
    assert event["UID"] == f"{conversation.uid}@careerconv"
    assert event.decoded("DTSTART") == conversation.starts_at
    assert event["SUMMARY"] == "Career conversation with Maya Okafor"


def test_the_manager_reads_the_preparation_and_moves_the_conversation_then_the_employee_cancels(ui, employee,
                                                                                               manager):
    conversation = ConversationFactory(
        employee=employee, partner=manager,
        starts_at=datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0)
        + datetime.timedelta(days=2, hours=1))
    PreparationFactory(conversation=conversation, shared_at=conversation.created_at,
                       abilities="I <em>keep</em> billing running.")

    ui.sign_in("maya")
    ui.goto(conversation.get_absolute_url())
    expect(ui.page.get_by_text("I <em>keep</em> billing running.")).to_be_visible()
    ui.page.get_by_role("link", name="Reschedule").click()
    expect(ui.page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    ui.check()
    ui.page.locator(".slot-button").nth(3).click()
    ui.check()
    ui.page.get_by_role("button", name="Move it to this time").click()
    expect(ui.page.get_by_text("Please say why, so that the other person knows.").first).to_be_visible()
    ui.check()
    ui.page.get_by_label("Reason").fill("A clash with the quarterly planning")
    ui.page.get_by_role("button", name="Move it to this time").click()
    expect(ui.page.get_by_text("Rescheduled. The updated invitation is on its way to you both.")).to_be_visible()
    ui.check()
    conversation.refresh_from_db()
    assert conversation.sequence == 1

    ui.sign_out()
    ui.sign_in("eli")
    ui.goto(conversation.get_absolute_url())
    expect(ui.page.get_by_text("A clash with the quarterly planning")).to_be_visible()
    ui.page.get_by_role("link", name="Cancel").click()
    ui.check()
    ui.page.get_by_label("Reason").fill("I am moving to the data team next week")
    ui.page.get_by_role("button", name="Cancel the conversation").click()
    expect(ui.page.get_by_text("Cancelled. Both of you are sent a cancellation for your calendars.")).to_be_visible()
    ui.check()
    conversation.refresh_from_db()
    assert (conversation.status, conversation.sequence) == (Conversation.Status.CANCELLED, 2)
    assert [message.subject.split(":")[0] for message in mail.outbox[-2:]] == ["Cancelled", "Cancelled"]


def test_a_partner_sets_availability_and_a_day_off(ui, mentor):
    ui.sign_in("mina")
    ui.open_menu("Mina Sato")
    ui.page.get_by_role("link", name="My availability").click()
    expect(ui.page.get_by_role("heading", name="My availability for career conversations")).to_be_visible()
    ui.check()

    ui.page.get_by_label("Length of a conversation").select_option(label="1 hour")
    new_window = ui.page.get_by_role("group", name="New window").first
    new_window.get_by_label("Day").select_option(label="Saturday")
    new_window.get_by_label("From").fill("10:00")
    new_window.get_by_label("Until").fill("12:00")
    ui.page.get_by_role("button", name="Save availability").click()
    expect(ui.page.get_by_text("Availability saved.")).to_be_visible()
    ui.check()
    assert mentor.availability_windows.filter(weekday=5).count() == 1

    day_off = (timezone.localdate(timezone=mentor.tz) + datetime.timedelta(days=7)).isoformat()
    days_off = ui.page.get_by_role("region", name="Days off")
    days_off.get_by_label("From").fill(day_off)
    ui.page.get_by_role("button", name="Add days off").click()
    expect(ui.page.get_by_text("Day off added.")).to_be_visible()
    ui.check()
    assert mentor.days_off.count() == 1
