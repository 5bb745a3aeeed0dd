"""The home page is made for each role: the employee's own regularity, the manager's team, HR's section."""

import datetime

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.support.factories import ConversationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_an_employee_sees_their_status_and_what_is_booked(client, employee, manager):
    ConversationFactory(employee=employee, partner=manager,
                        starts_at=timezone.now() - datetime.timedelta(days=100),
                        status=Conversation.Status.COMPLETED)
    client.force_login(employee.user)

    page = client.get("/").content.decode()

    assert "Overdue" in page
    assert "My team" not in page and "For HR" not in page


def test_a_manager_sees_their_team_with_who_needs_attention_first(client, employee, manager):
    PersonFactory(user__first_name="Nia", user__last_name="Lowe", manager=manager,
                  start_date=timezone.now().date())
    ConversationFactory(employee=employee, partner=manager,
                        starts_at=timezone.now() - datetime.timedelta(days=120),
                        status=Conversation.Status.COMPLETED)
    client.force_login(manager.user)

    page = client.get("/").content.decode()

    assert "My team" in page
    assert page.index("Eli Brandt") < page.index("Nia Lowe")  # overdue before no history yet


def test_hr_sees_the_hr_section(client, hr):
    client.force_login(hr.user)

    assert "For HR" in client.get("/").content.decode()


def test_times_are_shown_in_the_viewer_s_timezone_with_the_zone_named(client, employee, manager):
    employee.timezone = "America/New_York"
    employee.save()
    ConversationFactory(employee=employee, partner=manager,
                        starts_at=datetime.datetime(2030, 1, 15, 15, 0, tzinfo=datetime.UTC))
    client.force_login(employee.user)

    page = client.get("/").content.decode()

    assert "Tue 15 Jan 2030, 10:00 EST" in page
    assert "America/New_York" in page


def test_a_user_without_a_person_is_told_to_ask_hr(client, django_user_model):
    user = django_user_model.objects.create_user("contractor", password="pw-unused-12345")
    client.force_login(user)

    assert "Ask HR to add you" in client.get("/").content.decode()


def test_an_administrator_who_is_nobody_in_the_organisation_is_sent_to_the_admin_and_told_why(client,
                                                                                             django_user_model):
    admin = django_user_model.objects.create_superuser("it-admin", password="pw-unused-12345")
    client.force_login(admin)

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/admin/", 302)]
    assert "administrator who is not one of the organisation&#x27;s people" in response.content.decode()


def test_the_browser_s_favicon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert response["Location"].startswith("/static/favicon")
