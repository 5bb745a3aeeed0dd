"""Feedback reminders through the sweep: the colleague three days before the date asked for and once it has
passed, the asker once everyone has answered or the date has passed; recorded once, bundled, quiet hours kept.

It is Tuesday 3 March 2026, 10:00 in London unless a test says otherwise. Eli asked Mina and Hana for feedback on
Thursday 26 February, by Friday 6 March.
"""

import datetime

import pytest
from django.core import mail

from conversations import feedback
from conversations.models import FeedbackAnswer, Notification, Reminder
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from people.models import Person
from tests.support.reminding import at, decided, settle

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03T10:00:00+00:00")
TODAY = datetime.date(2026, 3, 3)
ASKED_AT = at("2026-02-26T10:00:00+00:00")
ANSWER_BY = datetime.date(2026, 3, 6)


@pytest.fixture
def settled(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=TODAY)
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False)


def ask(asker, colleagues, *, anonymous=False, asked_at=ASKED_AT, answer_by=ANSWER_BY):
    return feedback.ask_for_feedback(asker=asker, colleagues=colleagues, areas=["abilities"], note="",
                                     answer_by=answer_by, anonymous=anonymous, conversation=None, now=asked_at)


def answer(request, colleague, text="Calm under pressure", now=ASKED_AT):
    return feedback.submit_answer(answer=request.answers.get(colleague=colleague), values={"abilities": text},
                                  now=now)


def test_the_colleague_is_reminded_in_the_three_days_before_the_date(settled, employee, mentor, hr):
    ask(employee, [mentor, hr])

    assert decided(NOW - datetime.timedelta(days=1)) == set()
    assert decided(NOW) == {("feedback_due", "mina", "2026-03-06"), ("feedback_due", "hana", "2026-03-06")}
    # On the date itself it is neither due soon nor overdue: the due reminder has said it.
    assert decided(at("2026-03-06T10:00:00+00:00")) == set()


def test_the_colleague_is_reminded_once_the_date_has_passed_until_the_request_expires(settled, employee, mentor):
    request = ask(employee, [mentor])

    assert decided(at("2026-03-07T10:00:00+00:00"), "mina") == {("feedback_overdue", "mina", "2026-03-06")}
    assert request.expires_on == datetime.date(2026, 3, 20)
    assert decided(at("2026-03-20T10:00:00+00:00"), "mina") == {("feedback_overdue", "mina", "2026-03-06")}
    assert decided(at("2026-03-21T10:00:00+00:00"), "mina") == set()


def test_a_colleague_asked_less_than_a_day_ago_gets_no_due_reminder_on_top_of_the_request(settled, employee, mentor):
    ask(employee, [mentor], asked_at=NOW - datetime.timedelta(hours=20))

    assert decided(NOW) == set()
    assert decided(NOW + datetime.timedelta(hours=4)) == {("feedback_due", "mina", "2026-03-06")}


def test_a_colleague_who_answered_or_declined_is_not_reminded(settled, employee, mentor, hr):
    request = ask(employee, [mentor, hr])
    answer(request, mentor)
    feedback.decline(answer=request.answers.get(colleague=hr), reason="", now=ASKED_AT)

    assert decided(NOW, "mina", "hana") == set()
    assert decided(at("2026-03-07T10:00:00+00:00"), "mina", "hana") == set()


def test_a_closed_request_reminds_nobody(settled, employee, mentor):
    request = ask(employee, [mentor])
    feedback.close_request(request=request, now=ASKED_AT)

    assert decided(NOW) == set()
    assert decided(at("2026-03-07T10:00:00+00:00")) == set()


def test_the_asker_hears_once_everyone_has_answered_or_declined(settled, employee, mentor, hr):
    request = ask(employee, [mentor, hr])
    answer(request, mentor)

    assert decided(NOW, "eli") == set()
    feedback.decline(answer=request.answers.get(colleague=hr), reason="", now=ASKED_AT)
    assert decided(NOW, "eli") == {("feedback_ready", "eli", "2026-03-06")}


def test_the_asker_hears_when_the_date_has_passed_with_answers_still_missing(settled, employee, mentor, hr):
    request = ask(employee, [mentor, hr])
    answer(request, mentor)

    assert decided(at("2026-03-06T10:00:00+00:00"), "eli") == set()
    assert decided(at("2026-03-07T10:00:00+00:00"), "eli") == {("feedback_ready", "eli", "2026-03-06")}


def test_the_date_is_each_persons_own(settled, employee, mentor):
    # 23:30 UTC on 6 March is already 7 March in Berlin, and still 6 March in London.
    ask(employee, [mentor])
    Person.objects.filter(pk=mentor.pk).update(timezone="Europe/Berlin")

    assert decided(at("2026-03-06T23:30:00+00:00")) == {("feedback_overdue", "mina", "2026-03-06")}


def test_each_reminder_is_recorded_and_sent_once_and_bundled_into_the_days_one_email(settled, employee, mentor,
                                                                                     hr):
    first = ask(employee, [mentor])
    second = ask(hr, [mentor], answer_by=datetime.date(2026, 3, 5))

    sweep(now=NOW, enqueue=publish)
    sweep(now=NOW + datetime.timedelta(minutes=2), enqueue=publish)

    assert Reminder.objects.filter(kind="feedback_due", recipient=mentor).count() == 2
    [message] = [message for message in mail.outbox if message.to == ["mina@example.com"]]
    assert message.subject == "2 colleagues would like your feedback soon"
    assert "Hana Reed would like your feedback by Thursday 5 March" in message.body
    assert "Eli Brandt would like your feedback by Friday 6 March" in message.body
    answer_url = f"http://127.0.0.1:8000{first.answers.get().get_absolute_url()}"
    assert answer_url in message.body  # one list, each entry with its own link
    assert second.answers.get().get_absolute_url() in message.body
    titles = [notification.title for notification in Notification.objects.filter(recipient=mentor)]
    assert titles.count("Eli Brandt would like your feedback by Friday 6 March") == 1


def test_reminders_wait_for_the_sending_window(settled, employee, mentor):
    ask(employee, [mentor])
    night = at("2026-03-04T02:00:00+00:00")

    sweep(now=night, enqueue=publish)
    assert mail.outbox == []
    sweep(now=at("2026-03-04T09:00:00+00:00"), enqueue=publish)
    assert [message.subject for message in mail.outbox] == ["Eli Brandt would like your feedback by Friday 6 March"]


def test_the_askers_reminder_of_an_anonymous_request_gives_counts_never_names(settled, employee, manager, mentor,
                                                                              hr):
    request = ask(employee, [mentor, hr, manager], anonymous=True)
    answer(request, mentor, "Mina's answer")
    answer(request, hr, "Hana's answer")

    sweep(now=at("2026-03-07T10:00:00+00:00"), enqueue=publish)

    [message] = [message for message in mail.outbox if message.to == ["eli@example.com"]]
    assert message.subject == "Your request for feedback: 2 of 3 answered"
    html = message.alternatives[0][0]
    [notification] = [notification for notification in Notification.objects.filter(recipient=employee)
                      if notification.title == message.subject]
    for text in (message.body, html, notification.body):
        for name in ("Mina", "Hana", "Sato", "Reed", "Maya", "answer"):
            assert name not in text.replace("answered", "")
    assert request.get_absolute_url() in message.body
    assert FeedbackAnswer.objects.filter(request=request, status="asked").count() == 1
