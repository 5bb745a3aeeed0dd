"""The admin site for staff who are not superusers: they look after the records, and never read what was said in
a conversation (preparation, notes, actions, roadblocks), not even in a page title or a confirmation."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from conversations.models import Notification, ReminderEmail, Roadblock
from tests.support.factories import ActionItemFactory, ConversationFactory, PersonFactory, PreparationFactory

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
