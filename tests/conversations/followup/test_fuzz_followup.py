"""Hostile input to notes, actions, completion, roadblocks, proposals, the question library, the handover and the
participation filters (see tests/fuzzing.py for the check)."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conversations.models import GuideQuestion, Notes
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory
from tests.support.fuzzing import (
    FUZZ,
    SCRIPTS,
    assert_shown_as_text,
    hostile_choice,
    hostile_date,
    hostile_id,
    hostile_text,
    hostile_time,
    submit,
)

pytestmark = pytest.mark.django_db

FOLLOW_THROUGH = ["conversations.notes", "conversations.actionitem", "conversations.conversation",
                  "conversations.roadblock"]
NOTE_FIELDS = ("abilities", "roadblocks", "environment", "soft_skills", "technical_skills", "peer_differentiators",
               "summary")


@pytest.fixture
def held(employee, manager):
    """A conversation held yesterday: notes, actions and reflections are open."""
    starts_at = timezone.now() - datetime.timedelta(days=1)
    return ConversationFactory(employee=employee, partner=manager, starts_at=starts_at)


@FUZZ
@given(texts=st.lists(hostile_text, min_size=7, max_size=7), visibility=st.sampled_from(["shared", "private"]),
       as_json=st.booleans())
def test_saving_notes_with_anything(client, held, manager, texts, visibility, as_json):
    client.force_login(manager.user)
    data = {f"{visibility}-{name}": text for name, text in zip(NOTE_FIELDS, texts)}
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}

    submit(client, f"/conversations/{held.pk}/notes/{visibility}/", data, watched=FOLLOW_THROUGH, **headers)


@pytest.mark.parametrize("text", SCRIPTS)
def test_shared_notes_typed_as_script_are_shown_as_text_to_the_employee(client, held, employee, manager, text):
    NotesFactory(conversation=held, author=manager, visibility=Notes.Visibility.SHARED, summary=text,
                 abilities=text)
    client.force_login(employee.user)

    assert_shown_as_text(client.get(f"/conversations/{held.pk}/notes/").content.decode(), text)


@FUZZ
@given(text=hostile_text, owner=st.one_of(st.sampled_from(["employee", "partner", "organisation"]), hostile_choice),
       due=hostile_date)
def test_adding_and_editing_actions_with_anything(client, held, employee, text, owner, due):
    action = ActionItemFactory(conversation=held)
    client.force_login(employee.user)
    data = {"text": text, "owner_kind": owner, "due_on": due}

    submit(client, f"/conversations/{held.pk}/actions/", data, watched=FOLLOW_THROUGH)
    submit(client, f"/conversations/actions/{action.pk}/", data, watched=FOLLOW_THROUGH)
    action.delete()


@FUZZ
@given(outcome=st.one_of(st.sampled_from(["completed", "no_show"]), hostile_choice), reflection=hostile_text,
       acknowledge=hostile_choice, roadblock=hostile_text)
def test_completing_reflecting_and_naming_roadblocks_with_anything(client, held, employee, manager, outcome,
                                                                   reflection, acknowledge, roadblock):
    client.force_login(manager.user)
    submit(client, f"/conversations/{held.pk}/held/", {"outcome": outcome}, watched=FOLLOW_THROUGH)
    submit(client, f"/conversations/{held.pk}/roadblocks/", {"text": roadblock}, watched=FOLLOW_THROUGH)
    client.force_login(employee.user)
    submit(client, f"/conversations/{held.pk}/reflection/",
           {"employee_reflection": reflection, "acknowledge": acknowledge}, watched=FOLLOW_THROUGH)


@FUZZ
@given(answer=hostile_choice, reason=hostile_text)
def test_answering_a_proposal_with_anything(client, employee, manager, answer, reason):
    proposal = ConversationFactory(employee=employee, partner=manager, status="requested", booked_by=manager)
    client.force_login(employee.user)

    submit(client, f"/conversations/{proposal.pk}/answer/", {"answer": answer, "reason": reason},
           watched=FOLLOW_THROUGH)
    proposal.delete()


@FUZZ
@given(date=hostile_date, time=hostile_time, minutes=hostile_id, location=hostile_text, kind=hostile_choice)
def test_proposing_a_conversation_with_anything(client, employee, manager, date, time, minutes, location, kind):
    client.force_login(manager.user)

    submit(client, f"/people/team/{employee.pk}/propose/",
           {"date": date, "time": time, "minutes": minutes, "location": location, "kind": kind},
           watched=["conversations.conversation"])


@FUZZ
@given(notes=st.lists(hostile_id, max_size=3), actions=st.lists(hostile_id, max_size=3))
def test_handing_over_with_anything(client, employee, manager, notes, actions):
    client.force_login(employee.user)

    submit(client, "/people/handover/", {"notes": notes, "actions": actions}, watched=["conversations.handover"])


@FUZZ
@given(area=hostile_choice, text=hostile_text, change=hostile_choice)
def test_editing_the_question_library_with_anything(client, hr, area, text, change):
    question = GuideQuestion.objects.create(area="abilities", text="What are you proud of lately?", position=99)
    client.force_login(hr.user)
    watched = ["conversations.guidequestion"]

    submit(client, "/conversations/questions/", {"area": area, "text": text}, watched=watched)
    submit(client, f"/conversations/questions/{question.pk}/", {"area": area, "text": text}, watched=watched)
    submit(client, f"/conversations/questions/{question.pk}/change/", {"change": change}, watched=watched)
    question.delete()


@FUZZ
@given(period=hostile_choice, start=hostile_date, end=hostile_date, department=hostile_id)
def test_filtering_the_dashboard_with_anything(client, hr, period, start, end, department):
    client.force_login(hr.user)
    query = {"period": period, "start": start, "end": end, "department": department}

    assert client.get("/conversations/participation/", query).status_code == 200
    assert client.get("/conversations/participation.csv", query).status_code in (200, 400)
