"""Hostile input to every feedback form: asking, asking more, answering (draft, send and autosave), declining and
bringing answers into a preparation (see tests/support/fuzzing.py for the check)."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conversations import feedback
from conversations.models import FEEDBACK_AREA_FIELDS, FeedbackRequest
from tests.support.factories import ConversationFactory, PersonFactory
from tests.support.fuzzing import (
    FUZZ,
    SCRIPTS,
    assert_shown_as_text,
    hostile_choice,
    hostile_date,
    hostile_id,
    hostile_text,
    submit,
)

pytestmark = pytest.mark.django_db

FEEDBACK = ["conversations.feedbackrequest", "conversations.feedbackanswer", "conversations.preparation"]


@pytest.fixture
def asked(employee, manager, mentor, hr):
    """Eli asked Mina, Hana and a colleague; all three answered, and he has a conversation with Maya ahead."""
    now = timezone.now()
    colleague = PersonFactory()
    request = feedback.ask_for_feedback(asker=employee, colleagues=[mentor, hr, colleague],
                                        areas=["abilities", "roadblocks"], note="Before my conversation",
                                        answer_by=now.date() + datetime.timedelta(days=10), anonymous=False,
                                        conversation=None, now=now)
    for answer in request.answers.all():
        feedback.submit_answer(answer=answer, values={"abilities": "Calm", "roadblocks": "Too busy"}, now=now)
    ConversationFactory(employee=employee, partner=manager, starts_at=now + datetime.timedelta(days=5))
    return request


@pytest.fixture
def open_answer(employee, mentor):
    now = timezone.now()
    request = feedback.ask_for_feedback(asker=employee, colleagues=[mentor], areas=list(FEEDBACK_AREA_FIELDS), note="",
                                        answer_by=now.date() + datetime.timedelta(days=10), anonymous=False,
                                        conversation=None, now=now)
    return request.answers.get()


colleague_ids = st.lists(st.one_of(hostile_id, st.sampled_from(["self", "mina", "hana", "left"])), max_size=4)
area_values = st.lists(st.one_of(st.sampled_from(list(FEEDBACK_AREA_FIELDS)), hostile_choice), max_size=4)


def resolve(ids, people):
    return [str(people[value].pk) if value in people else value for value in ids]


@FUZZ
@given(ids=colleague_ids, areas=area_values, note=hostile_text, answer_by=hostile_date,
       anonymous=hostile_choice, conversation=st.one_of(hostile_id, st.just("mine")))
def test_asking_with_anything(client, employee, manager, mentor, hr, ids, areas, note, answer_by, anonymous,
                              conversation):
    left = PersonFactory(is_active=False)
    people = {"self": employee, "mina": mentor, "hana": hr, "left": left}
    mine = ConversationFactory(employee=employee, partner=manager,
                               starts_at=timezone.now() + datetime.timedelta(days=5))
    client.force_login(employee.user)
    data = {"colleagues": resolve(ids, people), "areas": areas, "note": note, "answer_by": answer_by,
            "anonymous": anonymous, "conversation": str(mine.pk) if conversation == "mine" else conversation}

    submit(client, "/conversations/feedback/ask/", data, watched=FEEDBACK)
    mine.delete()
    left.delete()


@FUZZ
@given(ids=colleague_ids)
def test_asking_more_with_anything(client, employee, manager, mentor, hr, asked, ids):
    people = {"self": employee, "mina": mentor, "hana": hr, "left": manager}
    client.force_login(employee.user)

    submit(client, f"/conversations/feedback/requests/{asked.pk}/ask/", {"colleagues": resolve(ids, people)},
           watched=FEEDBACK)


@FUZZ
@given(picks=st.lists(st.one_of(st.sampled_from(["first:abilities", "first:roadblocks", "first:environment"]),
                                hostile_choice, hostile_id), max_size=3),
       conversation=st.one_of(hostile_id, st.just("upcoming")))
def test_bringing_answers_with_anything(client, employee, asked, picks, conversation):
    first = asked.answers.order_by("pk").first()
    upcoming = employee.conversations_as_employee.get()
    chosen = str(upcoming.pk) if conversation == "upcoming" else conversation
    client.force_login(employee.user)
    data = {"picks": [pick.replace("first", str(first.pk)) for pick in picks], "conversation": chosen}

    submit(client, f"/conversations/feedback/requests/{asked.pk}/bring/", data, watched=FEEDBACK)


@FUZZ
@given(texts=st.lists(hostile_text, min_size=6, max_size=6), action=st.one_of(st.just("submit"), hostile_choice),
       autosave=st.booleans())
def test_answering_with_anything(client, mentor, open_answer, texts, action, autosave):
    client.force_login(mentor.user)
    data = dict(zip(FEEDBACK_AREA_FIELDS, texts))
    if autosave:
        submit(client, f"/conversations/feedback/answers/{open_answer.pk}/autosave/", data, watched=FEEDBACK,
               HTTP_ACCEPT="application/json")
    else:
        submit(client, f"/conversations/feedback/answers/{open_answer.pk}/", {**data, "action": action},
               watched=FEEDBACK)


@FUZZ
@given(reason=hostile_text)
def test_declining_with_anything(client, mentor, open_answer, reason):
    client.force_login(mentor.user)

    submit(client, f"/conversations/feedback/answers/{open_answer.pk}/decline/", {"reason": reason},
           watched=FEEDBACK)


@pytest.mark.parametrize("text", SCRIPTS)
def test_a_note_and_answers_typed_as_script_are_shown_as_text(client, employee, mentor, text):
    now = timezone.now()
    request = feedback.ask_for_feedback(asker=employee, colleagues=[mentor], areas=["abilities"], note=text,
                                        answer_by=now.date() + datetime.timedelta(days=10), anonymous=False,
                                        conversation=None, now=now)
    answer = feedback.submit_answer(answer=request.answers.get(), values={"abilities": text}, now=now)

    client.force_login(mentor.user)
    assert_shown_as_text(client.get(answer.get_absolute_url()).content.decode(), text)
    client.force_login(employee.user)
    assert_shown_as_text(client.get(FeedbackRequest.objects.get().get_absolute_url()).content.decode(), text)
