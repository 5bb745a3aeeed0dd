"""Hostile input to every form of booking, preparation and availability (see tests/fuzzing.py for the check)."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conversations.availability import free_slots
from conversations.models import Conversation, Preparation
from tests.support.factories import ConversationFactory, PreparationFactory
from tests.support.fuzzing import (
    FUZZ,
    SCRIPTS,
    assert_shown_as_text,
    hostile_choice,
    hostile_date,
    hostile_id,
    hostile_text,
    hostile_time,
    script_text,
    submit,
)

pytestmark = pytest.mark.django_db

CONVERSATION = ["conversations.conversation"]
PREPARATION = ["conversations.preparation"]
AVAILABILITY = ["conversations.availabilitysettings", "conversations.availabilitywindow", "conversations.dayoff",
                "people.person"]


def slot_key(employee, manager, index=0):
    return free_slots(partner=manager, employee=employee, now=timezone.now())[index].key


slot_or_junk = st.one_of(st.just("FREE"), hostile_text, hostile_date, st.sampled_from([
    "2026-02-30T10:00Z", "2020-01-01T10:00Z", "2099-01-01T10:00Z", "2026-03-10T10:07Z"]))


@FUZZ
@given(starts_at=slot_or_junk, location=hostile_text, kind=st.one_of(st.just("standalone"), hostile_choice),
       relation=hostile_choice)
def test_booking_with_anything(client, employee, manager, starts_at, location, kind, relation):
    client.force_login(employee.user)
    data = {"starts_at": slot_key(employee, manager) if starts_at == "FREE" else starts_at, "location": location,
            "kind": kind, "relation": relation}

    response, saved = submit(client, f"/conversations/book/{manager.pk}/confirm/", data, watched=CONVERSATION)

    if saved:
        assert response.status_code == 302


@FUZZ
@given(location=script_text)
def test_a_place_typed_as_script_is_shown_as_text(client, employee, manager, location):
    client.force_login(employee.user)
    client.post(f"/conversations/book/{manager.pk}/confirm/",
                {"starts_at": slot_key(employee, manager), "location": location, "kind": "standalone"})
    conversation = Conversation.objects.get()
    try:
        for viewer in (employee, manager):
            client.force_login(viewer.user)
            assert_shown_as_text(client.get(f"/conversations/{conversation.pk}/").content.decode(), location,
                                 linked=True)
    finally:
        conversation.delete()


@FUZZ
@given(starts_at=slot_or_junk, reason=hostile_text)
def test_rescheduling_with_anything(client, employee, manager, starts_at, reason):
    conversation = ConversationFactory(employee=employee, partner=manager,
                                       starts_at=free_slots(partner=manager, employee=employee,
                                                            now=timezone.now())[3].starts_at)
    client.force_login(employee.user)
    data = {"starts_at": slot_key(employee, manager) if starts_at == "FREE" else starts_at, "reason": reason}

    submit(client, f"/conversations/{conversation.pk}/reschedule/confirm/", data, watched=CONVERSATION)
    conversation.delete()


@FUZZ
@given(reason=st.one_of(hostile_text, st.none()))
def test_cancelling_with_anything(client, employee, manager, reason):
    conversation = ConversationFactory(employee=employee, partner=manager)
    client.force_login(manager.user)

    submit(client, f"/conversations/{conversation.pk}/cancel/", {} if reason is None else {"reason": reason},
           watched=CONVERSATION)
    conversation.delete()


def preparation_data(draw_text, topics, direction, horizon, target):
    fields = ("abilities", "roadblocks", "environment", "soft_skills", "technical_skills", "peer_differentiators")
    return {**dict(zip(fields, draw_text)), "topics": topics, "aspiration_direction": direction,
            "aspiration_horizon": horizon, "aspiration_target": target}


preparation_input = st.builds(
    preparation_data, st.lists(hostile_text, min_size=6, max_size=6),
    st.lists(st.one_of(st.sampled_from(["skill_sets", "progression"]), hostile_choice), max_size=4),
    st.one_of(st.sampled_from(["up", "sideways", ""]), hostile_choice),
    st.one_of(st.sampled_from(["1y", ""]), hostile_choice), hostile_text,
)


@FUZZ
@given(data=preparation_input, action=st.sampled_from(["save", "share", "unshare", "", "delete"]))
def test_preparing_with_anything(client, employee, manager, data, action):
    conversation = ConversationFactory(employee=employee, partner=manager)
    client.force_login(employee.user)

    response, saved = submit(client, f"/conversations/{conversation.pk}/preparation/", {**data, "action": action},
                             watched=PREPARATION)
    conversation.delete()


@FUZZ
@given(data=preparation_input)
def test_autosaving_with_anything(client, employee, manager, data):
    conversation = ConversationFactory(employee=employee, partner=manager)
    client.force_login(employee.user)

    response, saved = submit(client, f"/conversations/{conversation.pk}/preparation/autosave/", data,
                             watched=PREPARATION)

    assert response.status_code == (200 if saved else 400)
    conversation.delete()


@pytest.mark.parametrize("text", SCRIPTS)
def test_a_preparation_typed_as_script_is_shown_as_text_to_both_people(client, employee, manager, text):
    conversation = ConversationFactory(employee=employee, partner=manager)
    PreparationFactory(conversation=conversation, roadblocks=text, aspiration_target=text[:200],
                       shared_at=timezone.now())

    client.force_login(employee.user)
    assert_shown_as_text(client.get(f"/conversations/{conversation.pk}/preparation/").content.decode(), text)
    client.force_login(manager.user)
    assert_shown_as_text(client.get(f"/conversations/{conversation.pk}/").content.decode(), text)
    assert Preparation.objects.count() == 1


@FUZZ
@given(slot=st.one_of(st.sampled_from(["15", "30", "45"]), hostile_id), weeks=hostile_id, notice=hostile_id,
       offers=hostile_choice, weekday=hostile_id, start=hostile_time, end=hostile_time,
       total=st.sampled_from(["1", "2", "1000", "-1", "x"]))
def test_setting_availability_with_anything(client, manager, slot, weeks, notice, offers, weekday, start, end,
                                            total):
    client.force_login(manager.user)
    data = {
        "slot_minutes": slot, "weeks_ahead": weeks, "min_notice_hours": notice, "offers_conversations": offers,
        "windows-TOTAL_FORMS": total, "windows-INITIAL_FORMS": "0", "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000", "windows-0-weekday": weekday, "windows-0-start_time": start,
        "windows-0-end_time": end,
    }

    submit(client, "/conversations/availability/", data, watched=AVAILABILITY)


@FUZZ
@given(first=hostile_date, last=hostile_date, note=hostile_text)
def test_adding_days_off_with_anything(client, mentor, first, last, note):
    client.force_login(mentor.user)

    submit(client, "/conversations/availability/",
           {"action": "add_days_off", "first_day": first, "last_day": last, "note": note}, watched=AVAILABILITY)


@FUZZ
@given(query=hostile_text, page=hostile_id, week=hostile_date)
def test_searching_and_paging_with_anything(client, employee, manager, query, page, week):
    client.force_login(employee.user)

    assert client.get("/conversations/book/", {"q": query, "page": page}).status_code == 200
    assert client.get(f"/conversations/book/{manager.pk}/", {"week": week}).status_code == 200
    assert client.get("/conversations/", {"page": page}).status_code == 200


def test_days_off_far_in_the_future_are_refused_with_a_message(client, mentor):
    client.force_login(mentor.user)
    first = (timezone.now() + datetime.timedelta(days=10)).date()

    response, saved = submit(client, "/conversations/availability/", {
        "action": "add_days_off", "first_day": first.isoformat(), "last_day": "9999-12-31", "note": ""},
        watched=AVAILABILITY)

    assert not saved
