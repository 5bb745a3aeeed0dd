"""The career timeline: every conversation the employee held or booked, newest first, with the aspirations they
stated and the actions agreed."""

import datetime

import pytest
from django.urls import reverse

from conversations import feedback, timeline
from conversations.models import Conversation, Direction, Horizon, Relation
from tests.support.factories import ActionItemFactory, ConversationFactory, PersonFactory, PreparationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def day(month, number, year=2025):
    return datetime.datetime(year, month, number, 10, 0, tzinfo=UTC)


@pytest.fixture
def history(employee, manager, mentor):
    first = ConversationFactory(employee=employee, partner=manager, starts_at=day(3, 4),
                                status=Conversation.Status.COMPLETED)
    PreparationFactory(conversation=first, aspiration_direction=Direction.UP, aspiration_target="Team lead",
                       aspiration_horizon=Horizon.TWO_THREE_YEARS)
    ActionItemFactory(conversation=first, text="Run the incident review", done_at=day(4, 1))
    second = ConversationFactory(employee=employee, partner=mentor, relation=Relation.MENTOR, starts_at=day(6, 10),
                                 status=Conversation.Status.COMPLETED)
    PreparationFactory(conversation=second, aspiration_direction=Direction.UP, aspiration_target="Team lead",
                       aspiration_horizon=Horizon.TWO_THREE_YEARS)
    ConversationFactory(employee=employee, partner=manager, starts_at=day(8, 5),
                        status=Conversation.Status.CANCELLED)
    third = ConversationFactory(employee=employee, partner=manager, starts_at=day(9, 2),
                                status=Conversation.Status.COMPLETED)
    PreparationFactory(conversation=third, aspiration_direction=Direction.SIDEWAYS,
                       aspiration_target="Data engineering", aspiration_horizon=Horizon.ONE_YEAR)
    ActionItemFactory(conversation=third, text="Shadow the data team", owner=manager, owner_kind="partner")
    upcoming = ConversationFactory(employee=employee, partner=manager, starts_at=day(3, 10, 2026))
    # Held by the employee for someone else: not part of their own career story.
    ConversationFactory(employee=PersonFactory(), partner=employee, starts_at=day(10, 1),
                        status=Conversation.Status.COMPLETED)
    return first, second, third, upcoming


def test_the_timeline_is_newest_first_and_leaves_out_cancelled_and_others_conversations(employee, history):
    first, second, third, upcoming = history

    entries = timeline.career_timeline(person=employee, now=NOW)

    assert [entry.conversation for entry in entries] == [upcoming, third, second, first]
    assert [entry.upcoming for entry in entries] == [True, False, False, False]


def test_the_timeline_marks_where_the_aspiration_changed(employee, history):
    entries = timeline.career_timeline(person=employee, now=NOW)

    stated = [(e.aspiration.direction_label, e.aspiration.target, e.aspiration.horizon_label)
              if e.aspiration else None for e in entries]
    assert stated == [None, ("Move sideways", "Data engineering", "Within a year"),
                      ("Move up", "Team lead", "In 2–3 years"), ("Move up", "Team lead", "In 2–3 years")]
    assert [entry.aspiration_changed for entry in entries] == [False, True, False, False]
    assert timeline.current_aspiration(entries).target == "Data engineering"


def test_the_timeline_carries_the_actions_agreed(employee, history):
    entries = timeline.career_timeline(person=employee, now=NOW)

    assert [[action.text for action in entry.actions] for entry in entries] == [
        [], ["Shadow the data team"], [], ["Run the incident review"]]


def test_the_timeline_page_shows_it_in_a_fixed_number_of_queries(client, employee, history,
                                                                  django_assert_max_num_queries):
    client.force_login(employee.user)
    client.get(reverse("conversations:timeline"))

    with django_assert_max_num_queries(13):  # 10, the feedback asked for (2), and the bell's unread count
        page = client.get(reverse("conversations:timeline")).content.decode()

    assert "Where I want to go now" in page
    assert page.index("2 September 2025") < page.index("10 June 2025") < page.index("4 March 2025")
    assert "Move sideways — Data engineering (within a year)" in page
    assert "Shadow the data team — Maya Okafor" in page
    assert "5 August 2025" not in page


def test_a_person_without_conversations_is_invited_to_book(client, employee):
    client.force_login(employee.user)

    page = client.get(reverse("conversations:timeline")).content.decode()

    assert "No career conversations yet." in page


def test_the_timeline_shows_feedback_asked_and_received_with_dates_and_names_never_the_text(client, employee, manager,
                                                                                            mentor, hr):
    asked_on = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    named = feedback.ask_for_feedback(asker=employee, colleagues=[mentor, hr], areas=["abilities"], note="",
                                      answer_by=datetime.date(2026, 2, 20), anonymous=False, conversation=None,
                                      now=asked_on)
    feedback.submit_answer(answer=named.answers.get(colleague=mentor), values={"abilities": "Sees the whole system"},
                           now=datetime.datetime(2026, 2, 5, 9, 0, tzinfo=UTC))
    feedback.decline(answer=named.answers.get(colleague=hr), reason="Too new here", now=asked_on)
    anonymous = feedback.ask_for_feedback(asker=employee, colleagues=[manager], areas=["abilities"], note="",
                                          answer_by=datetime.date(2026, 2, 27), anonymous=True, conversation=None,
                                          now=datetime.datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
    feedback.submit_answer(answer=anonymous.answers.get(), values={"abilities": "Steady hand"},
                           now=datetime.datetime(2026, 2, 11, 9, 0, tzinfo=UTC))
    client.force_login(employee.user)

    page = client.get(reverse("conversations:timeline")).content.decode()
    section = page.split('id="feedback-timeline-heading"', 1)[1]

    assert section.index("10 February 2026") < section.index("2 February 2026")
    assert "asked Mina Sato, Hana Reed" in section
    assert "5 February 2026 — answered by Mina Sato" in section
    assert "1 declined." in section
    assert "asked Maya Okafor <span class=\"fw-normal\">(anonymous)</span>" in section
    assert "11 February 2026 — an answer arrived" in section
    assert "answered by Maya" not in section
    for text in ("Sees the whole system", "Steady hand", "Too new here"):
        assert text not in page
