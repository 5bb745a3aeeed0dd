"""The admin site: administrators, superusers included, look after the records and never read what was said in a
conversation (preparation, notes, actions, roadblocks), not even in a page title, a confirmation or through a
lookup in the URL."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from conversations.models import FEEDBACK_AREA_FIELDS, Notes, Notification, ReminderEmail, Roadblock
from tests.support.factories import ActionItemFactory, ConversationFactory, PersonFactory, PreparationFactory
from tests.support.private_text import write_every_private_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = PersonFactory(user__username="it-staff", user__is_staff=True).user
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="conversations",
        codename__in=["view_actionitem", "change_actionitem", "view_roadblock", "change_roadblock",
                      "view_preparation", "change_preparation", "view_conversation", "delete_conversation",
                      "delete_actionitem"]))
    client.force_login(user)
    return user


@pytest.fixture
def conversation(employee, manager):
    return ConversationFactory(employee=employee, partner=manager,
                               starts_at=timezone.now() - datetime.timedelta(days=3))


def test_staff_do_not_read_a_roadblock_in_its_admin_page_title(client, staff, conversation):
    roadblock = Roadblock.objects.create(employee=conversation.employee, text="Maya ignores my ideas")
    roadblock.raised_in.add(conversation)

    page = client.get(reverse("admin:conversations_roadblock_change", args=[roadblock.pk]))

    assert page.status_code == 200
    assert "Maya ignores my ideas" not in page.content.decode()


def test_staff_do_not_read_action_items_in_the_list_or_on_their_page(client, staff, conversation):
    action = ActionItemFactory(conversation=conversation, text="Look for a role outside the team")

    listing = client.get(reverse("admin:conversations_actionitem_changelist"))
    page = client.get(reverse("admin:conversations_actionitem_change", args=[action.pk]))

    assert listing.status_code == 200
    assert f"/{action.pk}/change/" in listing.content.decode()
    assert "Look for a role outside the team" not in listing.content.decode()
    assert page.status_code == 200
    assert "Look for a role outside the team" not in page.content.decode()


def test_staff_deleting_a_conversation_are_not_shown_the_text_of_its_actions(client, staff, conversation):
    ActionItemFactory(conversation=conversation, text="Look for a role outside the team")

    page = client.get(reverse("admin:conversations_conversation_delete", args=[conversation.pk]))

    assert page.status_code == 200
    assert "Action item" in page.content.decode()
    assert "Look for a role outside the team" not in page.content.decode()


def test_staff_do_not_see_the_topics_or_aspiration_of_a_preparation(client, staff, conversation):
    preparation = PreparationFactory(conversation=conversation, topics=["progression"],
                                     aspiration_direction="sideways", aspiration_horizon="1y",
                                     aspiration_target="Data engineering")

    page = client.get(reverse("admin:conversations_preparation_change", args=[preparation.pk])).content.decode()

    assert 'name="topics"' not in page
    assert 'name="aspiration_direction"' not in page
    assert 'name="aspiration_horizon"' not in page
    assert "Data engineering" not in page


def test_staff_do_not_read_notification_titles_or_reminder_subjects_nor_search_them(client, staff, employee):
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_notification", "view_reminderemail"]))
    notification = Notification.objects.create(recipient=employee, title="Your action is due: leave the team",
                                               body="Declined: I am interviewing elsewhere")
    email = ReminderEmail.objects.create(recipient=employee, subject_line="Your action is due: leave the team",
                                         next_attempt_at=timezone.now())

    pages = [
        client.get(reverse("admin:conversations_notification_changelist")),
        client.get(reverse("admin:conversations_notification_change", args=[notification.pk])),
        client.get(reverse("admin:conversations_reminderemail_changelist")),
        client.get(reverse("admin:conversations_reminderemail_change", args=[email.pk])),
    ]
    found = client.get(reverse("admin:conversations_reminderemail_changelist"), {"q": "leave the team"})

    for page in pages:
        assert page.status_code == 200
        assert "leave the team" not in page.content.decode()
        assert "interviewing elsewhere" not in page.content.decode()
    assert f"/{email.pk}/change/" not in found.content.decode()


def test_staff_do_not_read_why_a_conversation_was_declined_or_moved(client, staff, conversation):
    conversation.change_reason = "I am interviewing elsewhere"
    conversation.save(update_fields=["change_reason"])

    page = client.get(reverse("admin:conversations_conversation_change", args=[conversation.pk]))

    assert page.status_code == 200
    assert "interviewing elsewhere" not in page.content.decode()


# --- Every model with text, every administrator -----------------------------------------------------------------

# The admin of each model that holds private text, and the fields of it a URL might try to look into.
PRIVATE_TEXT_FIELDS = {
    "preparation": [*FEEDBACK_AREA_FIELDS, "aspiration_target", "topics", "aspiration_direction"],
    "notes": [*FEEDBACK_AREA_FIELDS, "summary"],
    "conversation": ["employee_reflection", "change_reason"],
    "actionitem": ["text"],
    "roadblock": ["text"],
    "notification": ["title", "body"],
    "reminderemail": ["subject_line"],
}
LOOKUPS = ["startswith", "contains", "regex", "gt"]


@pytest.fixture(params=["superuser", "staff with every permission"])
def administrator(request, client):
    user = PersonFactory(user__username="root", user__is_staff=True,
                         user__is_superuser=request.param == "superuser").user
    if not user.is_superuser:
        user.user_permissions.add(*Permission.objects.all())
    client.force_login(user)
    return user


@pytest.fixture
def markers(conversation):
    return write_every_private_text(conversation)


def assert_no_text(page, markers):
    assert page.status_code in (200, 302, 400, 403), page.status_code
    content = page.content.decode()
    assert [marker for marker in markers.values() if marker in content] == []


def rows_listed(page):
    return page.context["cl"].result_count if page.status_code == 200 else None


@pytest.mark.parametrize("model", PRIVATE_TEXT_FIELDS)
def test_no_administrator_reads_private_text_on_any_admin_page(client, administrator, markers, model):
    model_class = apps.get_model("conversations", model)
    pages = [client.get(reverse(f"admin:conversations_{model}_changelist"))]
    for obj in model_class.objects.all():
        pages += [client.get(reverse(f"admin:conversations_{model}_{view}", args=[obj.pk]))
                  for view in ("change", "history", "delete")]

    assert len(pages) > 1 or model == "notes"
    for page in pages:
        assert_no_text(page, markers)


@pytest.mark.parametrize("model", PRIVATE_TEXT_FIELDS)
def test_no_lookup_or_ordering_on_private_text_filters_the_admin_lists(client, administrator, markers, model):
    url = reverse(f"admin:conversations_{model}_changelist")
    everything = rows_listed(client.get(url))
    marker_of = {field: marker for (_, field), marker in markers.items()}

    for field in PRIVATE_TEXT_FIELDS[model]:
        for lookup in LOOKUPS:
            for value in (marker_of.get(field, "a")[:3], "zz-nothing-starts-so"):
                page = client.get(url, {f"{field}__{lookup}": value})
                assert_no_text(page, markers)
                # Refused outright, or the list is the whole list whatever the value.
                assert page.status_code == 400 or rows_listed(page) == everything, (field, lookup, value)
        for position in range(12):
            assert_no_text(client.get(url, {"o": str(position)}), markers)
    assert everything >= (0 if model == "notes" else 1)


def test_no_administrator_finds_a_record_by_searching_its_text(client, administrator, markers):
    for model in PRIVATE_TEXT_FIELDS:
        changelist = reverse(f"admin:conversations_{model}_changelist")
        unmatched = rows_listed(client.get(changelist, {"q": "zz-no-such-text-zz"}))
        for (_, field), marker in markers.items():
            page = client.get(changelist, {"q": marker})
            # The search box shows back what was typed; nothing else may appear.
            assert_no_text(page, {key: other for key, other in markers.items() if other != marker})
            # Whatever the term, the same rows: a search that narrowed them would tell which record holds the text.
            assert rows_listed(page) == unmatched, (model, field)


def test_the_admin_cannot_change_who_sees_notes_or_reassign_a_record(client, administrator, markers, conversation):
    shared = Notes.objects.get(visibility=Notes.Visibility.SHARED)

    client.post(reverse("admin:conversations_notes_change", args=[shared.pk]),
                {"visibility": "private", "author": conversation.employee.pk, "conversation": conversation.pk})
    page = client.get(reverse("admin:conversations_notes_change", args=[shared.pk])).content.decode()

    shared.refresh_from_db()
    assert (shared.visibility, shared.author) == (Notes.Visibility.SHARED, conversation.partner)
    assert 'name="visibility"' not in page
    assert 'name="conversation"' not in page


def test_private_notes_are_not_listed_nor_opened_by_any_administrator(client, administrator, markers):
    private = Notes.objects.get(visibility=Notes.Visibility.PRIVATE)

    listing = client.get(reverse("admin:conversations_notes_changelist")).content.decode()
    page = client.get(reverse("admin:conversations_notes_change", args=[private.pk]))

    assert f"/{private.pk}/change/" not in listing
    assert page.status_code == 302
