"""Who may open or post to each follow-through view: the participants of a conversation, never the employee's
manager when they did not hold it, another manager, HR or a stranger; anonymous visitors are sent to sign in.
What cannot be seen answers 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import ActionItem, Conversation, GuideQuestion, Notes, Roadblock
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory, PersonFactory, make_hr

pytestmark = pytest.mark.django_db

PARTICIPANT_ROLES = ("employee", "partner")
OUTSIDERS = ("employees_manager", "other_manager", "hr", "stranger")


@pytest.fixture
def world(employee, manager, mentor, hr, stranger):
    """Eli (reporting to Maya) had a conversation with Mina, a mentor: Maya is Eli's manager but not a participant."""
    other_manager = PersonFactory(user__username="omar", user__first_name="Omar", user__last_name="Haddad")
    PersonFactory(manager=other_manager)
    conversation = ConversationFactory(
        employee=employee, partner=mentor, relation="mentor",
        starts_at=timezone.now() - datetime.timedelta(hours=2), status=Conversation.Status.CONFIRMED,
    )
    action = ActionItemFactory(conversation=conversation)
    organisation_action = ActionItemFactory(conversation=conversation, owner_kind=ActionItem.Owner.ORGANISATION,
                                            owner=None, text="HR to find a mentor in data engineering")
    roadblock = Roadblock.objects.create(employee=employee, text="No time for deep work")
    roadblock.raised_in.add(conversation)
    return {
        "users": {
            "employee": employee.user, "partner": mentor.user, "employees_manager": manager.user,
            "other_manager": other_manager.user, "hr": hr.user, "stranger": stranger.user,
        },
        "conversation": conversation, "action": action, "organisation_action": organisation_action,
        "roadblock": roadblock, "employee": employee,
    }


def _status(client, world, role, method, url, data=None):
    if role != "anonymous":
        client.force_login(world["users"][role])
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


def _conversation_views(world):
    pk = world["conversation"].pk
    return [
        ("get", reverse("conversations:notes", args=[pk]), None),
        ("post", reverse("conversations:save_notes", args=[pk, "shared"]), {"shared-summary": "Good talk"}),
        ("post", reverse("conversations:add_action", args=[pk]),
         {"text": "Read the book", "owner_kind": "employee", "due_on": ""}),
        ("get", reverse("conversations:edit_action", args=[world["action"].pk]), None),
        ("post", reverse("conversations:remove_action", args=[world["action"].pk]), None),
        ("post", reverse("conversations:add_roadblock", args=[pk]), {"text": "Too many meetings"}),
        ("post", reverse("conversations:update_roadblock", args=[pk, world["roadblock"].pk]), {"change": "resolve"}),
    ]


@pytest.mark.parametrize("role", PARTICIPANT_ROLES)
def test_both_participants_use_every_view_of_their_conversation(client, world, role):
    for method, url, data in _conversation_views(world):
        assert _status(client, world, role, method, url, data) in (200, 302), url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_else_reaches_any_view_of_the_conversation(client, world, role):
    for method, url, data in _conversation_views(world):
        assert _status(client, world, role, method, url, data) == 404, url
    assert Notes.objects.count() == 0
    assert ActionItem.objects.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in_for_every_view(client, world):
    urls = [url for _, url, _ in _conversation_views(world)] + [
        reverse("conversations:commitments"), reverse("conversations:questions"), reverse("conversations:team"),
        reverse("conversations:handover"), reverse("conversations:mark_held", args=[world["conversation"].pk]),
        reverse("conversations:reflect", args=[world["conversation"].pk]),
        reverse("conversations:team_member", args=[world["employee"].pk]),
        reverse("conversations:propose", args=[world["employee"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role, expected", [
    ("partner", 302), ("employee", 404), ("employees_manager", 404), ("other_manager", 404), ("hr", 404),
    ("stranger", 404),
])
def test_only_the_partner_marks_a_conversation_held(client, world, role, expected):
    url = reverse("conversations:mark_held", args=[world["conversation"].pk])
    assert _status(client, world, role, "post", url, {"outcome": "completed"}) == expected
    world["conversation"].refresh_from_db()
    held = world["conversation"].status == Conversation.Status.COMPLETED
    assert held is (expected == 302)


@pytest.mark.parametrize("role, expected", [
    ("employee", 302), ("partner", 404), ("employees_manager", 404), ("other_manager", 404), ("hr", 404),
    ("stranger", 404),
])
def test_only_the_employee_reflects_on_a_held_conversation(client, world, role, expected):
    Conversation.objects.filter(pk=world["conversation"].pk).update(status=Conversation.Status.COMPLETED,
                                                                    held_at=timezone.now())
    url = reverse("conversations:reflect", args=[world["conversation"].pk])
    assert _status(client, world, role, "post", url, {"employee_reflection": "Useful", "acknowledge": "on"}) == expected


@pytest.mark.parametrize("role, expected", [
    ("employee", 404), ("partner", 404), ("hr", 302), ("employees_manager", 404), ("other_manager", 404),
    ("stranger", 404),
])
def test_hr_marks_done_what_the_organisation_owes_and_nothing_else(client, world, role, expected):
    organisation_url = reverse("conversations:complete_action", args=[world["organisation_action"].pk])
    assert _status(client, world, role, "post", organisation_url) == expected
    personal_url = reverse("conversations:complete_action", args=[world["action"].pk])
    assert _status(client, world, role, "post", personal_url) == (302 if role in PARTICIPANT_ROLES else 404)


@pytest.mark.parametrize("role, expected", [
    ("employee", 302), ("partner", 404), ("employees_manager", 404), ("other_manager", 404), ("hr", 404),
    ("stranger", 404),
])
def test_only_the_employee_answers_a_proposed_time(client, world, role, expected):
    Conversation.objects.filter(pk=world["conversation"].pk).update(
        status=Conversation.Status.REQUESTED, starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, minutes=30))
    url = reverse("conversations:answer_proposal", args=[world["conversation"].pk])
    assert _status(client, world, role, "post", url, {"answer": "accept"}) == expected


@pytest.mark.parametrize("role, expected", [
    ("hr", 200), ("employee", 404), ("partner", 404), ("employees_manager", 404), ("other_manager", 404),
    ("stranger", 404),
])
def test_only_hr_opens_the_question_library(client, world, role, expected):
    # Its own question: the seeded library is gone when a transactional test ran earlier in the same process.
    question = GuideQuestion.objects.create(area="abilities", text="What are you proud of lately?", position=99)
    assert _status(client, world, role, "get", reverse("conversations:questions")) == expected
    assert _status(client, world, role, "get", reverse("conversations:edit_question", args=[question.pk])) == expected
    change = _status(client, world, role, "post", reverse("conversations:change_question", args=[question.pk]),
                     {"change": "retire"})
    assert change == (302 if expected == 200 else 404)


@pytest.mark.parametrize("role, expected", [
    ("employees_manager", 200), ("other_manager", 200), ("employee", 404), ("partner", 404), ("hr", 404),
    ("stranger", 404),
])
def test_the_team_page_is_for_managers(client, world, role, expected):
    assert _status(client, world, role, "get", reverse("conversations:team")) == expected


@pytest.mark.parametrize("role, expected", [
    ("employees_manager", 200), ("other_manager", 404), ("employee", 404), ("partner", 404), ("hr", 404),
    ("stranger", 404),
])
def test_only_the_employees_own_manager_sees_them_and_proposes_a_time(client, world, role, expected):
    employee = world["employee"]
    assert _status(client, world, role, "get", reverse("conversations:team_member", args=[employee.pk])) == expected
    assert _status(client, world, role, "get", reverse("conversations:propose", args=[employee.pk])) == expected


@pytest.mark.parametrize("role", PARTICIPANT_ROLES + OUTSIDERS)
def test_everyone_with_a_person_has_commitments_and_a_handover_page(client, world, role):
    assert _status(client, world, role, "get", reverse("conversations:commitments")) == 200
    assert _status(client, world, role, "get", reverse("conversations:handover")) == 200


def test_the_employees_manager_never_reads_notes_or_actions_of_a_conversation_held_with_someone_else(
        client, world, manager):
    conversation = world["conversation"]
    NotesFactory(conversation=conversation, author=conversation.partner, summary="Mina's shared words")
    client.force_login(manager.user)

    for url in (reverse("conversations:team"), reverse("conversations:team_member", args=[world["employee"].pk]),
                reverse("conversations:commitments"), reverse("home")):
        body = client.get(url).content.decode()
        assert "Mina&#x27;s shared words" not in body and "Mina's shared words" not in body, url
        assert "Shadow the data team" not in body, url
        assert "find a mentor in data engineering" not in body, url


def test_a_private_note_is_shown_to_its_author_only(client, world):
    conversation = world["conversation"]
    NotesFactory(conversation=conversation, author=conversation.partner, visibility=Notes.Visibility.PRIVATE,
                 summary="Mina thinks Eli is a flight risk")
    NotesFactory(conversation=conversation, author=conversation.partner, visibility=Notes.Visibility.SHARED,
                 summary="Eli leads the billing rewrite")
    url = reverse("conversations:notes", args=[conversation.pk])

    client.force_login(world["users"]["partner"])
    partner_page = client.get(url).content.decode()
    client.force_login(world["users"]["employee"])
    employee_page = client.get(url).content.decode()

    assert "Mina thinks Eli is a flight risk" in partner_page
    assert "Mina thinks Eli is a flight risk" not in employee_page
    assert "Eli leads the billing rewrite" in employee_page


def test_the_admin_hides_private_notes_from_staff_who_are_not_superusers(client, world):
    conversation = world["conversation"]
    private = NotesFactory(conversation=conversation, author=conversation.partner,
                           visibility=Notes.Visibility.PRIVATE, summary="Private words")
    shared = NotesFactory(conversation=conversation, author=conversation.partner, summary="Shared words")
    staff = make_hr(PersonFactory(user__username="admin-staff", user__is_staff=True)).user
    from django.contrib.auth.models import Permission
    staff.user_permissions.add(Permission.objects.get(codename="view_notes"),
                               Permission.objects.get(codename="change_notes"))
    client.force_login(staff)

    listing = client.get(reverse("admin:conversations_notes_changelist"))
    assert listing.status_code == 200
    assert f"/{shared.pk}/change/" in listing.content.decode()
    assert f"/{private.pk}/change/" not in listing.content.decode()
    assert client.get(reverse("admin:conversations_notes_change", args=[private.pk])).status_code == 302
    shared_page = client.get(reverse("admin:conversations_notes_change", args=[shared.pk])).content.decode()
    assert "Shared words" not in shared_page
