import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conversations import feedback
from conversations.demo import DEMO_PASSWORD, SIGN_IN
from conversations.followup import completion
from conversations.models import (
    ActionItem,
    AvailabilityWindow,
    Conversation,
    FeedbackAnswer,
    FeedbackRequest,
    Notes,
    Preparation,
)
from conversations.regularity import Regularity, person_regularity, with_conversation_dates
from people import roles
from people.models import Department, Person

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def statuses():
    now = timezone.now()
    people = with_conversation_dates(Person.objects.active().select_related("user"), now=now)
    return {person.user.username: person_regularity(person, now=now)[1] for person in people}


def test_the_demo_organisation_is_believable():
    output = seed()

    assert Person.objects.count() == 60
    assert Department.objects.count() == 6
    assert [name for name, in Department.objects.values_list("name")] == [
        "Customer Success", "Design", "Engineering", "People", "Product", "Sales"]
    hr = Person.objects.filter(user__groups__name="HR")
    assert sorted(hr.values_list("user__username", flat=True)) == ["hana.reed", "hugo.lindqvist"]
    assert Person.objects.filter(offers_conversations=True).count() == 4
    assert Person.objects.filter(is_active=False).count() == 2
    managers = [p for p in Person.objects.active() if roles.is_manager(p)]
    assert len(managers) >= 12
    assert Person.objects.filter(manager__isnull=True).count() == 1  # the CEO
    assert AvailabilityWindow.objects.filter(person__user__username="maya.okafor").exists()
    assert "demo-careers-2026" in output and "eli.brandt" in output and "hana.reed" in output


def test_the_history_spans_a_year_and_participation_is_uneven():
    seed()
    now = timezone.now()
    held = Conversation.objects.held()

    oldest = held.order_by("starts_at").first().starts_at
    assert now - datetime.timedelta(days=366) < oldest < now - datetime.timedelta(days=300)
    assert held.count() > 150
    assert Conversation.objects.filter(status=Conversation.Status.CONFIRMED, starts_at__gt=now).exists()
    assert Preparation.objects.exists() and Notes.objects.exists() and ActionItem.objects.exists()
    counts = {}
    for status in statuses().values():
        counts[status] = counts.get(status, 0) + 1
    assert counts.get(Regularity.OVERDUE, 0) >= 5
    assert counts.get(Regularity.ON_TRACK, 0) + counts.get(Regularity.BOOKED, 0) >= 25


def test_the_demo_employee_is_due_soon_and_reports_to_the_demo_manager():
    seed()

    eli = Person.objects.get(user__username="eli.brandt")
    assert eli.manager.user.username == "maya.okafor"
    assert statuses()["eli.brandt"] == Regularity.DUE_SOON


def test_every_demo_account_signs_in_with_the_demo_password(client):
    seed()

    names = [username for username, _ in SIGN_IN]
    assert {"hana.reed", "hugo.lindqvist", "maya.okafor", "eli.brandt", "mina.sato", "admin"} <= set(names)
    for username in names:
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert response.context["user"].username == username, username
        assert response.status_code == 200 and response.redirect_chain[-1][0] in ("/", "/admin/"), username
        client.logout()


def test_every_person_offering_conversations_is_a_demo_sign_in_who_has_signed_in():
    seed()

    mentors = Person.objects.filter(offers_conversations=True, is_active=True)
    assert set(mentors.values_list("user__username", flat=True)) <= {username for username, _ in SIGN_IN}
    assert not mentors.filter(user__last_login__isnull=True).exists()
    # A few others were never invited, so that HR has someone to invite.
    assert Person.objects.filter(is_active=True, user__last_login__isnull=True).exists()


def test_no_leaver_has_a_conversation_after_their_leaving_date_and_no_manager_has_left():
    seed()

    leavers = Person.objects.filter(is_active=False)
    assert leavers.exists()
    for leaver in leavers:
        assert leaver.left_on is not None
        last = Conversation.objects.involving(leaver).order_by("-starts_at").first()
        assert last is None or last.starts_at.date() < leaver.left_on, leaver
        assert not ActionItem.objects.filter(conversation__employee=leaver, due_on__gte=leaver.left_on).exists()
        assert not Person.objects.filter(manager=leaver).exists(), leaver


def test_no_due_date_is_more_than_a_year_past():
    seed()
    now = timezone.now()
    year_ago = (now - datetime.timedelta(days=365)).date()
    people = with_conversation_dates(Person.objects.active().select_related("user"), now=now)

    due_dates = {person.user.username: person_regularity(person, now=now)[0] for person in people}
    assert min(due_dates.values()) >= year_ago, min(due_dates.items(), key=lambda item: item[1])
    assert not ActionItem.objects.filter(due_on__lt=year_ago).exists()


def test_maya_has_a_conversation_to_mark_held_today_an_overdue_report_and_an_active_manager():
    seed()
    now = timezone.now()
    maya = Person.objects.get(user__username="maya.okafor")

    today = Conversation.objects.get(partner=maya, status=Conversation.Status.CONFIRMED, starts_at__lte=now)
    assert now - today.starts_at < datetime.timedelta(hours=24)
    completion.mark_held(conversation=today, outcome=Conversation.Status.COMPLETED, now=now)
    report_statuses = {username: status for username, status in statuses().items()
                       if Person.objects.get(user__username=username).manager_id == maya.pk}
    assert Regularity.OVERDUE in report_statuses.values()
    assert maya.manager.user.username == "priya.raman" and maya.manager.is_active


def test_the_texts_vary_across_the_organisation():
    seed()

    actions = ActionItem.objects.values_list("text", flat=True)
    summaries = Notes.objects.values_list("summary", flat=True)
    assert len(set(actions)) >= 20 and len(set(summaries)) >= 10


def test_seeding_twice_changes_nothing():
    seed()
    before = (User.objects.count(), Person.objects.count(), Conversation.objects.count(), Notes.objects.count())

    output = seed()

    assert (User.objects.count(), Person.objects.count(), Conversation.objects.count(),
            Notes.objects.count()) == before
    assert "0 people created, 60 already there" in output


def test_people_scales_the_organisation():
    seed("--people", "400", "--quiet")

    assert Person.objects.count() == 400
    assert Department.objects.count() == 6
    assert Conversation.objects.count() > 1000


def test_conversations_sets_the_size_of_the_history():
    seed("--people", "100", "--conversations", "2000", "--quiet")

    assert 1500 < Conversation.objects.count() < 2600


def test_a_tiny_organisation_is_refused_with_a_reason():
    with pytest.raises(CommandError, match="at least 20"):
        seed("--people", "5")


def test_the_demo_has_feedback_requests_in_every_state():
    seed()
    now = timezone.now()
    eli = Person.objects.get(user__username="eli.brandt")
    brought, waiting = FeedbackRequest.objects.filter(asker=eli).order_by("created_at")

    # Answered by two, declined by one, and brought into the preparation he shared with Maya.
    assert sorted(brought.answers.values_list("status", flat=True)) == ["answered", "answered", "declined"]
    preparation = brought.conversation.preparation
    assert preparation.is_shared and brought.conversation.partner.user.username == "maya.okafor"
    mentor_answer = brought.answers.filter(status="answered").first()
    assert f"Feedback from {mentor_answer.colleague.name}: {mentor_answer.abilities}" in preparation.abilities
    # Anonymous, open, two answers in: held back until a third arrives.
    assert waiting.anonymous and feedback.is_open(waiting, now=now)
    assert feedback.received(waiting).held_back
    assert waiting.answers.filter(status="answered").count() == 2
    assert waiting.answers.filter(status="asked").exists()
    # Others asked too, and nobody is e-mailed for requests the demo made up.
    assert FeedbackRequest.objects.exclude(asker=eli).count() >= 5
    assert not FeedbackAnswer.objects.filter(emailed_at__isnull=True).exists()
