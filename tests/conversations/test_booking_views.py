"""The booking pages: who may see what (others get 404), what each refusal says, and that bad input saves
nothing."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from conversations.availability import add_days_off, free_slots
from conversations.models import Conversation, Notes, Relation
from tests.support.factories import (
    ActionItemFactory,
    ConversationFactory,
    NotesFactory,
    PersonFactory,
    PreparationFactory,
    make_hr,
)

pytestmark = pytest.mark.django_db


def signed_in(client, person):
    client.force_login(person.user)
    return client


def first_free_slot(partner, employee):
    return free_slots(partner=partner, employee=employee, now=timezone.now())[0]


def text(response):
    return response.content.decode()


# --- Choosing a partner ---------------------------------------------------------------------------------------


def test_the_manager_comes_first_then_the_people_who_offer_conversations(client, employee, manager, mentor,
                                                                         stranger):
    page = text(signed_in(client, employee).get(reverse("conversations:choose_partner")))

    assert page.index("Maya Okafor") < page.index("Mina Sato")
    assert "Principal Engineer · Engineering" in page
    assert "Sam Ivers" not in page
    assert reverse("conversations:pick_slot", args=[manager.pk]) in page


def test_a_manager_without_availability_is_shown_as_such(client, employee_manager):
    employee, _ = employee_manager

    page = text(signed_in(client, employee).get(reverse("conversations:choose_partner")))

    assert "Maya Okafor has not set their availability yet." in page


def test_the_directory_search_answers_a_fragment_to_htmx(client, employee, mentor):
    PersonFactory(user__first_name="Theo", user__last_name="Quist", offers_conversations=True)
    signed_in(client, employee)

    full = client.get(reverse("conversations:choose_partner"), {"q": "<b>theo</b>"})
    fragment = client.get(reverse("conversations:choose_partner"), {"q": "theo"}, HTTP_HX_REQUEST="true")

    assert "Nobody who offers career conversations matches “&lt;b&gt;theo&lt;/b&gt;”." in text(full)
    assert "<h1" not in text(fragment)
    assert "Theo Quist" in text(fragment) and "Mina Sato" not in text(fragment)


# --- Picking a slot and booking -------------------------------------------------------------------------------


def test_the_slots_page_shows_times_in_the_employees_timezone_naming_it(client, employee, manager):
    employee.timezone = "Asia/Kolkata"
    employee.save()
    slot = first_free_slot(manager, employee)

    page = text(signed_in(client, employee).get(reverse("conversations:pick_slot", args=[manager.pk])))

    assert "Times are shown in your timezone, <strong>Asia/Kolkata</strong>" in page
    assert "(Maya Okafor is in Europe/London)" in page
    local = slot.starts_at.astimezone(employee.tz)
    assert f"?start={slot.key}\">{local:%H:%M}<" in page


@pytest.mark.parametrize("week, shown, earlier, later", [
    (None, "5 January 2099", None, "2099-01-12"),
    ("2099-01-28", "26 January 2099", "2099-01-12", "2099-02-02"),
    # A week without free times, or one out of the horizon, shows the first week that has some.
    ("2099-01-19", "5 January 2099", None, "2099-01-12"),
    ("2099-06-01", "5 January 2099", None, "2099-01-12"),
])
def test_the_slots_page_shows_one_week_and_the_nearest_weeks_with_free_times(client, employee, manager, week, shown,
                                                                             earlier, later):
    # A Wednesday; the week of 19 January is all days off, so the weeks either side lead past it.
    with time_machine.travel(datetime.datetime(2099, 1, 7, 10, tzinfo=datetime.UTC), tick=False):
        add_days_off(person=manager, first_day=datetime.date(2099, 1, 19), last_day=datetime.date(2099, 1, 25))
        url = reverse("conversations:pick_slot", args=[manager.pk])
        page = text(signed_in(client, employee).get(url, {"week": week} if week else {}))

    assert f"Week of {shown}</h2>" in page
    assert (f'href="{url}?week={earlier}">Earlier week' in page) if earlier else "Earlier week" not in page
    assert (f'href="{url}?week={later}">Later week' in page) if later else "Later week" not in page


def test_someone_who_does_not_offer_conversations_cannot_be_picked(client, employee, stranger):
    signed_in(client, employee)

    assert client.get(reverse("conversations:pick_slot", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("conversations:book", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("conversations:pick_slot", args=[employee.pk])).status_code == 404


def test_booking_through_the_pages_confirms_and_shows_the_next_steps(client, employee, manager,
                                                                     django_capture_on_commit_callbacks):
    slot = first_free_slot(manager, employee)
    signed_in(client, employee)

    confirm = client.get(reverse("conversations:book", args=[manager.pk]), {"start": slot.key})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:book", args=[manager.pk]),
                               {"starts_at": slot.key, "location": "Room 4", "kind": "standalone"}, follow=True)

    assert "Maya Okafor is your manager." in text(confirm)
    assert 'name="relation"' not in text(confirm)
    conversation = Conversation.objects.get()
    assert response.redirect_chain[-1][0] == reverse("conversations:booked", args=[conversation.pk])
    assert "Booked: your career conversation with Maya Okafor is confirmed." in text(response)
    assert "Prepare now" in text(response)
    assert (conversation.starts_at, conversation.location, conversation.relation) == (slot.starts_at, "Room 4",
                                                                                       Relation.MANAGER)


def test_a_mentor_booking_asks_how_they_know_each_other(client, employee, mentor):
    slot = first_free_slot(mentor, employee)
    signed_in(client, employee)

    confirm = client.get(reverse("conversations:book", args=[mentor.pk]), {"start": slot.key})
    client.post(reverse("conversations:book", args=[mentor.pk]),
                {"starts_at": slot.key, "relation": "peer", "location": "", "kind": "review"})

    assert "How do you know them?" in text(confirm)
    conversation = Conversation.objects.get()
    assert (conversation.relation, conversation.kind) == (Relation.PEER, Conversation.Kind.REVIEW)


def test_the_slot_taken_meanwhile_sends_the_employee_back_to_choose_with_a_message(client, employee, manager):
    slot = first_free_slot(manager, employee)
    ConversationFactory(employee=PersonFactory(manager=manager), partner=manager, starts_at=slot.starts_at,
                        ends_at=slot.ends_at)
    signed_in(client, employee)

    response = client.post(reverse("conversations:book", args=[manager.pk]),
                           {"starts_at": slot.key, "kind": "standalone"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("conversations:pick_slot", args=[manager.pk])
    assert "That time was just taken. Please choose another time." in text(response)
    assert Conversation.objects.filter(employee=employee).count() == 0


@pytest.mark.parametrize("key, message", [
    ("2020-01-06T10:00Z", "That time is in the past."),
    ("not-a-time", "Please choose one of the times offered."),
])
def test_a_bad_time_is_explained_and_nothing_saved(client, employee, manager, key, message):
    signed_in(client, employee)

    response = client.post(reverse("conversations:book", args=[manager.pk]),
                           {"starts_at": key, "kind": "standalone"}, follow=True)

    assert message in text(response)
    assert Conversation.objects.count() == 0


def test_a_too_long_location_is_marked_next_to_the_field_and_nothing_saved(client, employee, manager):
    slot = first_free_slot(manager, employee)
    signed_in(client, employee)

    response = client.post(reverse("conversations:book", args=[manager.pk]),
                           {"starts_at": slot.key, "kind": "standalone", "location": "x" * 501})

    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters (it has 501)." in text(response)
    assert 'id="id_location"' in text(response)
    assert Conversation.objects.count() == 0


def test_a_partner_who_left_while_the_page_was_open_is_explained(client, employee, manager):
    slot = first_free_slot(manager, employee)
    manager.is_active = False
    manager.save()
    signed_in(client, employee)

    response = client.post(reverse("conversations:book", args=[manager.pk]),
                           {"starts_at": slot.key, "kind": "standalone"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("conversations:choose_partner")
    assert "Maya Okafor has left the organisation and cannot be booked." in text(response)
    assert Conversation.objects.count() == 0


def test_the_booking_is_confirmed_even_when_the_broker_is_down(client, employee, manager,
                                                               django_capture_on_commit_callbacks):
    slot = first_free_slot(manager, employee)
    signed_in(client, employee)
    with mock.patch("conversations.tasks.send_conversation_invitation.delay",
                    side_effect=OperationalError("Connection refused")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("conversations:book", args=[manager.pk]),
                                   {"starts_at": slot.key, "kind": "standalone"}, follow=True)

    assert "is confirmed" in text(response)
    assert Conversation.objects.filter(employee=employee).count() == 1


# --- The conversation page ------------------------------------------------------------------------------------


def test_only_the_two_participants_see_a_conversation(client, employee, manager, hr, stranger):
    conversation = ConversationFactory(employee=employee, partner=manager)
    urls = [reverse(name, args=[conversation.pk]) for name in (
        "conversations:detail", "conversations:booked", "conversations:reschedule_pick_slot",
        "conversations:cancel", "conversations:download_invite", "conversations:prepare")]

    for outsider in (hr, stranger):
        signed_in(client, outsider)
        assert [client.get(url).status_code for url in urls] == [404] * len(urls)
        assert client.post(reverse("conversations:resend_invitation", args=[conversation.pk])).status_code == 404
    signed_in(client, manager)
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[-1]).status_code == 404  # the preparation is the employee's to write


def test_the_page_shows_times_in_the_viewers_timezone_with_the_zone(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager,
                                       starts_at=datetime.datetime(2026, 7, 7, 9, 0, tzinfo=datetime.UTC))
    manager.timezone = "America/Chicago"
    manager.save()

    as_employee = text(signed_in(client, employee).get(conversation.get_absolute_url()))
    as_manager = text(signed_in(client, manager).get(conversation.get_absolute_url()))

    assert "Tuesday 7 July 2026, 10:00–10:30 BST" in as_employee
    assert "Tuesday 7 July 2026, 04:00–04:30 CDT" in as_manager
    assert "(you are their manager)" in as_manager


def test_user_text_on_the_page_is_shown_as_text(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager,
                                       location="<script>alert(1)</script> https://meet.example.com/x")

    page = text(signed_in(client, employee).get(conversation.get_absolute_url()))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://meet.example.com/x"' in page


def test_the_page_lists_the_shared_notes_and_actions_but_not_the_partner_s_private_notes(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED)
    NotesFactory(conversation=conversation, summary="Strong <i>ownership</i> of billing")
    NotesFactory(conversation=conversation, visibility=Notes.Visibility.PRIVATE, summary="Private thought")
    ActionItemFactory(conversation=conversation, text="Shadow the data team", due_on=datetime.date(2026, 5, 4))

    page = text(signed_in(client, employee).get(conversation.get_absolute_url()))

    assert "Strong &lt;i&gt;ownership&lt;/i&gt; of billing" in page
    assert "Private thought" not in page
    assert "Shadow the data team" in page and "due 4 May 2026" in page


def test_the_invite_downloads_as_an_ics_file(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)

    response = signed_in(client, employee).get(reverse("conversations:download_invite", args=[conversation.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="career-conversation-{conversation.pk}.ics"'
    assert b"METHOD:PUBLISH" in response.content


def test_the_invitation_can_be_emailed_again_and_says_when_it_cannot(client, employee, manager, mailoutbox):
    conversation = ConversationFactory(employee=employee, partner=manager)
    signed_in(client, employee)

    sent = client.post(reverse("conversations:resend_invitation", args=[conversation.pk]), follow=True)
    with mock.patch("conversations.tasks.send_conversation_invitation.delay",
                    side_effect=OperationalError("Connection refused")):
        failed = client.post(reverse("conversations:resend_invitation", args=[conversation.pk]), follow=True)

    assert "The invitation is on its way to eli@example.com." in text(sent)
    assert [message.to for message in mailoutbox] == [["eli@example.com"]]
    assert "The invitation cannot be sent just now." in text(failed)


def test_a_cancelled_conversation_offers_its_file_but_no_invitation_by_e_mail(client, employee, manager):
    booked = ConversationFactory(employee=employee, partner=manager)
    cancelled = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.CANCELLED)
    signed_in(client, employee)

    booked_page = client.get(booked.get_absolute_url()).content.decode()
    cancelled_page = client.get(cancelled.get_absolute_url()).content.decode()

    assert "E-mail me the invitation" in booked_page and "E-mail me the invitation" not in cancelled_page
    assert "Download invitation (.ics)" in cancelled_page
    assert 'btn btn-outline-secondary" href="/conversations/' not in booked_page


# --- Rescheduling and cancelling ------------------------------------------------------------------------------


def test_the_partner_reschedules_with_a_reason(client, employee, manager, django_capture_on_commit_callbacks,
                                               mailoutbox):
    first, second = free_slots(partner=manager, employee=employee, now=timezone.now())[:2]
    conversation = ConversationFactory(employee=employee, partner=manager, starts_at=first.starts_at,
                                       ends_at=first.ends_at)
    signed_in(client, manager)

    slots_page = client.get(reverse("conversations:reschedule_pick_slot", args=[conversation.pk]))
    without_reason = client.post(reverse("conversations:reschedule", args=[conversation.pk]),
                                 {"starts_at": second.key, "reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("conversations:reschedule", args=[conversation.pk]),
                           {"starts_at": second.key, "reason": "Board meeting moved"}, follow=True)

    assert f"?start={second.key}" in text(slots_page)
    assert f"?start={first.key}" not in text(slots_page)
    assert "Please say why, so that the other person knows." in text(without_reason)
    assert "Rescheduled. The updated invitation is on its way to you both." in text(done)
    conversation.refresh_from_db()
    assert (conversation.starts_at, conversation.sequence, conversation.change_reason) == (
        second.starts_at, 1, "Board meeting moved")
    assert sorted(message.to[0] for message in mailoutbox) == ["eli@example.com", "maya@example.com"]


def test_the_employee_cancels_with_a_reason(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager)
    signed_in(client, employee)

    without_reason = client.post(reverse("conversations:cancel", args=[conversation.pk]), {"reason": " "})
    done = client.post(reverse("conversations:cancel", args=[conversation.pk]), {"reason": "Parental leave"},
                       follow=True)

    assert "Please say why, so that the other person knows." in text(without_reason)
    assert "Cancelled. Both of you are sent a cancellation for your calendars." in text(done)
    assert "Parental leave" in text(done)
    assert 'href="/conversations/%d/cancel/"' % conversation.pk not in text(done)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.cancelled_by) == (Conversation.Status.CANCELLED, employee)


def test_a_held_conversation_cannot_be_rescheduled_or_cancelled(client, employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED)
    signed_in(client, employee)

    assert client.get(reverse("conversations:reschedule_pick_slot", args=[conversation.pk])).status_code == 404
    assert client.post(reverse("conversations:cancel", args=[conversation.pk]),
                       {"reason": "x"}).status_code == 404


# --- My conversations -----------------------------------------------------------------------------------------


def test_my_conversations_lists_upcoming_and_past_with_preparation_and_actions(client, employee, manager, mentor,
                                                                              django_assert_max_num_queries):
    upcoming = ConversationFactory(employee=employee, partner=manager)
    PreparationFactory(conversation=upcoming)
    past = ConversationFactory(employee=employee, partner=mentor, status=Conversation.Status.COMPLETED,
                               starts_at=timezone.now() - datetime.timedelta(days=20))
    ActionItemFactory(conversation=past)
    ActionItemFactory(conversation=past, done_at=timezone.now())
    held_for_someone = ConversationFactory(employee=PersonFactory(user__first_name="Ana", user__last_name="Ruiz"),
                                           partner=employee, relation=Relation.MENTOR)
    PreparationFactory(conversation=held_for_someone, shared_at=None)
    signed_in(client, employee)
    client.get(reverse("conversations:list"))

    with django_assert_max_num_queries(12):
        page = text(client.get(reverse("conversations:list")))

    coming_up, past_part = page.split("Past and cancelled")
    assert "With Maya Okafor" in coming_up and "Preparation in draft, only you see it" in coming_up
    assert "Ana Ruiz" in coming_up and "(you are their mentor)" in coming_up
    assert "Preparation not shared yet" in coming_up
    assert "With Mina Sato" in past_part and "1 open action" in past_part and "Held" in past_part


def test_pages_need_a_person_and_a_sign_in(client, employee):
    assert client.get(reverse("conversations:list")).status_code == 302
    client.force_login(User.objects.create_user("admin-only", password="x-long-password"))
    assert client.get(reverse("conversations:list")).status_code == 404


def test_an_hr_member_who_holds_the_conversation_sees_it_like_any_participant(client, employee, manager):
    make_hr(manager)
    conversation = ConversationFactory(employee=employee, partner=manager)

    assert signed_in(client, manager).get(conversation.get_absolute_url()).status_code == 200



def test_a_time_at_the_end_of_the_calendar_is_refused_for_a_partner_east_of_utc(client, employee, manager):
    # 23:30 UTC on the last day datetime can hold is already the next year in Berlin, which does not exist.
    manager.timezone = "Europe/Berlin"
    manager.save(update_fields=["timezone"])
    signed_in(client, employee)

    response = client.post(reverse("conversations:book", args=[manager.pk]),
                           {"starts_at": "9999-12-31T23:30Z", "location": "", "kind": "standalone"}, follow=True)

    assert response.status_code == 200
    assert Conversation.objects.count() == 0
    assert "Please choose one of the times offered." in text(response)
