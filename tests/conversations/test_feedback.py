"""Feedback from colleagues: who reads the answers, the anonymous threshold, bringing answers into a preparation,
the open-request limit, expiry and decline."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conversations import feedback, personal_data
from conversations.models import FeedbackAnswer, Notification, Preparation
from tests.support.factories import ConversationFactory, PersonFactory, make_hr

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
ANSWER_BY = datetime.date(2025, 6, 12)


@pytest.fixture
def people():
    maya = PersonFactory(user__first_name="Maya", user__last_name="Manager")
    eli = PersonFactory(user__first_name="Eli", user__last_name="Asker", manager=maya)
    colleagues = [PersonFactory(user__first_name=name, user__last_name="Colleague")
                  for name in ("Ada", "Ben", "Cleo", "Dev", "Fay")]
    return maya, eli, colleagues


def ask(asker, colleagues, *, anonymous=False, conversation=None, now=NOW, answer_by=ANSWER_BY):
    return feedback.ask_for_feedback(asker=asker, colleagues=colleagues, areas=["abilities", "roadblocks"],
                                     note="Before my conversation", answer_by=answer_by, anonymous=anonymous,
                                     conversation=conversation, now=now)


def answer_as(request, colleague, text):
    answer = request.answers.get(colleague=colleague)
    return feedback.submit_answer(answer=answer, values={"abilities": text, "roadblocks": ""}, now=NOW)


def signed_in(client, person):
    client.force_login(person.user)
    return client


def test_an_answer_is_read_by_its_asker_and_its_author_only(client, people):
    maya, eli, (ada, ben, *_) = people
    hr = make_hr(PersonFactory())
    request = ask(eli, [ada])
    answer = answer_as(request, ada, "Explains hard things simply")
    request_url = reverse("conversations:feedback_request", args=[request.pk])
    answer_url = reverse("conversations:feedback_answer", args=[answer.pk])

    assert "Explains hard things simply" in signed_in(client, eli).get(request_url).content.decode()
    assert "Explains hard things simply" in signed_in(client, ada).get(answer_url).content.decode()
    for outsider in (maya, hr, ben):
        client.force_login(outsider.user)
        assert client.get(request_url).status_code == 404
        assert client.get(answer_url).status_code == 404


def test_an_anonymous_request_shows_nothing_with_two_answers_and_no_names_with_three(client, people):
    _, eli, (ada, ben, cleo, *_) = people
    request = ask(eli, [ada, ben, cleo], anonymous=True)
    answer_as(request, ada, "Calm under pressure")
    answer_as(request, ben, "Great at reviews")
    page = signed_in(client, eli).get(reverse("conversations:feedback_request", args=[request.pk])).content.decode()
    assert "2 of 3 answered; shown when 3 have" in page
    assert "Calm under pressure" not in page

    answer_as(request, cleo, "Unblocks the team")
    page = client.get(reverse("conversations:feedback_request", args=[request.pk])).content.decode()
    for text in ("Calm under pressure", "Great at reviews", "Unblocks the team"):
        assert text in page
    for name in ("Ada", "Ben", "Cleo"):
        assert name not in page
        assert not any(name in notification.title or name in notification.body
                       for notification in Notification.objects.filter(recipient=eli))

    archive = zipfile.ZipFile(io.BytesIO(personal_data.export_personal_data(person=eli, now=NOW)))
    exported = archive.read("feedback.json").decode()
    assert "Unblocks the team" in exported
    for name in ("Ada", "Ben", "Cleo"):
        assert name not in exported


def test_answers_brought_into_a_preparation_reach_the_partner_only_once_it_is_shared(client, people):
    maya, eli, (ada, *_) = people
    conversation = ConversationFactory(employee=eli, partner=maya,
                                       starts_at=timezone.now() + datetime.timedelta(days=5))
    now = timezone.now()
    request = ask(eli, [ada], conversation=conversation, now=now,
                  answer_by=now.date() + datetime.timedelta(days=3))
    answer = feedback.submit_answer(answer=request.answers.get(), values={"abilities": "Mentors new joiners"},
                                    now=timezone.now())
    signed_in(client, eli).post(reverse("conversations:feedback_bring", args=[request.pk]),
                                {"picks": [f"{answer.pk}:abilities"], "conversation": conversation.pk})
    preparation = Preparation.objects.get(conversation=conversation)
    assert preparation.abilities == "Feedback from Ada Colleague: Mentors new joiners"

    client.force_login(maya.user)
    assert "Mentors new joiners" not in client.get(conversation.get_absolute_url()).content.decode()
    preparation.shared_at = timezone.now()
    preparation.save()
    assert "Mentors new joiners" in client.get(conversation.get_absolute_url()).content.decode()


@override_settings(FEEDBACK_OPEN_REQUESTS_LIMIT=2)
def test_nobody_is_asked_beyond_the_open_request_limit(people):
    _, eli, (ada, ben, cleo, dev, _) = people
    ask(ben, [ada])
    ask(cleo, [ada])
    with pytest.raises(ValidationError) as refused:
        ask(eli, [ada, dev])
    assert refused.value.message_dict["colleagues"] == [
        "Ada Colleague already has 2 requests to answer: ask someone else, or later."]
    # Declining frees a place.
    feedback.decline(answer=FeedbackAnswer.objects.get(request__asker=ben), reason="", now=NOW)
    assert ask(eli, [ada, dev]).answers.count() == 2


def test_a_request_expires_after_its_date_and_can_no_longer_be_answered(people):
    _, eli, (ada, *_) = people
    request = ask(eli, [ada])
    answer = request.answers.get()
    after_expiry = datetime.datetime.combine(request.expires_on + datetime.timedelta(days=1), datetime.time(12),
                                             tzinfo=datetime.UTC)
    assert request.expires_on == ANSWER_BY + datetime.timedelta(days=14)
    assert feedback.can_change_answer(answer, now=NOW)
    assert not feedback.can_change_answer(answer, now=after_expiry)
    with pytest.raises(ValidationError):
        feedback.submit_answer(answer=answer, values={"abilities": "Late"}, now=after_expiry)


def test_declining_tells_the_asker_and_keeps_no_draft(client, people):
    _, eli, (ada, *_) = people
    now = timezone.now()
    request = ask(eli, [ada], now=now, answer_by=now.date() + datetime.timedelta(days=7))
    answer = request.answers.get()
    feedback.save_answer(answer=answer, values={"abilities": "Half a thought"}, now=now)
    signed_in(client, ada).post(reverse("conversations:feedback_decline", args=[answer.pk]),
                                {"reason": "On leave"})
    answer.refresh_from_db()
    assert (answer.status, answer.abilities, answer.decline_reason) == ("declined", "", "On leave")
    titles = [notification.title for notification in Notification.objects.filter(recipient=eli)]
    assert titles == ["Ada Colleague declined your request for feedback"]


def test_a_submitted_answer_no_longer_changes(client, people):
    _, eli, (ada, *_) = people
    now = timezone.now()
    request = ask(eli, [ada], now=now, answer_by=now.date() + datetime.timedelta(days=7))
    answer = answer_as(request, ada, "First words")
    response = signed_in(client, ada).post(reverse("conversations:feedback_autosave", args=[answer.pk]),
                                           {"abilities": "Second words"})
    assert response.status_code == 409
    answer.refresh_from_db()
    assert answer.abilities == "First words"


def test_erasing_a_colleague_removes_their_answer_text_and_name_and_keeps_the_count(people):
    _, eli, (ada, *_) = people
    hr = make_hr(PersonFactory())
    request = ask(eli, [ada])
    answer_as(request, ada, "Kind and precise")
    ada.is_active = False
    ada.save()
    personal_data.erase_person(person=ada, erased_by=hr.user, now=NOW)
    answer = request.answers.get()
    assert (answer.colleague, answer.abilities, answer.status) == (None, "", "answered")
    assert feedback.received(request).answered == 1


def test_asking_is_linked_from_home_the_navigation_the_preparation_the_profile_and_the_directory(client, people):
    maya, eli, (ada, *_) = people
    conversation = ConversationFactory(employee=eli, partner=maya)
    ask_url = reverse("conversations:feedback_ask")
    client.force_login(eli.user)

    home = client.get(reverse("home")).content.decode()
    assert f'href="{ask_url}"' in home
    assert f'href="{reverse("conversations:feedback")}"' in home
    prepare = client.get(reverse("conversations:prepare", args=[conversation.pk])).content.decode()
    assert f'href="{ask_url}?conversation={conversation.pk}"' in prepare
    profile = client.get(reverse("people:profile", args=[ada.pk])).content.decode()
    assert f'href="{ask_url}?colleague={ada.pk}"' in profile
    assert f"?colleague={eli.pk}" not in client.get(reverse("people:profile", args=[eli.pk])).content.decode()
    directory = client.get(reverse("people:directory"), {"q": "Ada"}).content.decode()
    assert f'href="{ask_url}?colleague={ada.pk}"' in directory

    now = timezone.now()
    ask(ada, [eli], now=now, answer_by=now.date() + datetime.timedelta(days=10))
    home = client.get(reverse("home")).content.decode()
    assert "1 request for your feedback</a> waiting for your answer." in home
