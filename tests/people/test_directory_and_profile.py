"""The people directory (searchable, with who offers conversations) and each person's profile and settings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Organisation, Person
from tests.support.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def names_in(response):
    return [person.name for person in response.context["page"].object_list]


@pytest.fixture
def organisation(employee, manager, mentor, hr, stranger):
    PersonFactory(user__first_name="Lou", user__last_name="Gone", is_active=False, job_title="Engineer")
    return Organisation.current()


def test_the_directory_lists_active_people_by_name(client, employee, organisation):
    client.force_login(employee.user)

    response = client.get(reverse("people:directory"))

    assert names_in(response) == ["Eli Brandt", "Hana Reed", "Maya Okafor", "Mina Sato", "Sam Ivers"]
    assert "5 people" in response.text


@pytest.mark.parametrize(("query", "expected"), [
    ("mina", ["Mina Sato"]),
    ("maya okafor", ["Maya Okafor"]),
    ("engineer", ["Eli Brandt", "Maya Okafor", "Mina Sato"]),
    ("sales", ["Sam Ivers"]),
    ("principal engineer", ["Mina Sato"]),
    ("nobody", []),
])
def test_the_directory_searches_names_titles_and_departments(client, employee, organisation, query, expected):
    client.force_login(employee.user)

    assert names_in(client.get(reverse("people:directory"), {"q": query})) == expected


def test_the_directory_filters_by_department_and_by_who_offers_conversations(client, employee, organisation):
    client.force_login(employee.user)
    people = DepartmentFactory(name="People")

    assert names_in(client.get(reverse("people:directory"), {"department": people.pk})) == ["Hana Reed"]
    offering = client.get(reverse("people:directory"), {"offers": "on"})
    assert names_in(offering) == ["Mina Sato"]
    assert "Offers career conversations" in offering.text


def test_hr_sees_leavers_on_request_and_who_has_been_invited(client, hr, organisation):
    client.force_login(hr.user)

    response = client.get(reverse("people:directory"), {"q": "lou", "include_left": "on"})

    assert names_in(response) == ["Lou Gone"]
    assert "Left" in response.text
    assert "Not invited yet" in client.get(reverse("people:directory"), {"q": "eli"}).text


def test_an_employee_cannot_list_leavers(client, employee, organisation):
    client.force_login(employee.user)

    response = client.get(reverse("people:directory"), {"q": "lou", "include_left": "on"})

    assert names_in(response) == []
    assert "Include people who have left" not in response.text


def test_a_live_search_answers_with_the_results_only(client, employee, organisation):
    client.force_login(employee.user)

    response = client.get(reverse("people:directory"), {"q": "sam"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text and "Sam Ivers" in response.text


def test_the_pages_of_a_filtered_search_keep_the_search_and_the_filter(client, employee, organisation):
    PersonFactory.create_batch(51, job_title="Analyst", offers_conversations=True)
    client.force_login(employee.user)

    first = client.get(reverse("people:directory"), {"q": "analyst", "offers": "on"})
    second = client.get(reverse("people:directory"), {"q": "analyst", "offers": "on", "page": "2"})

    assert "Page 1 of 2" in first.text
    assert '<a class="page-link" href="?q=analyst&amp;offers=on&amp;page=2">Next</a>' in first.text
    assert '<a class="page-link" href="?q=analyst&amp;offers=on&amp;page=1">Previous</a>' in second.text
    assert len(names_in(second)) == 1


def test_the_directory_costs_the_same_queries_for_any_number_of_people(client, hr, organisation):
    client.force_login(hr.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("people:directory"))
    PersonFactory.create_batch(30)

    with CaptureQueriesContext(connection) as many:
        client.get(reverse("people:directory"))

    assert len(few) <= 14  # 13, and the one query of the bell's unread count on every page
    assert len(many) == len(few)


def test_html_in_a_job_title_is_shown_as_text(client, employee):
    PersonFactory(user__first_name="Mal", job_title='<img src=x onerror="alert(1)">')
    client.force_login(employee.user)

    response = client.get(reverse("people:directory"), {"q": "mal"})

    assert '<img src=x' not in response.text and "&lt;img src=x" in response.text


# --- Profile ---------------------------------------------------------------------------------------------------

def test_a_person_sees_and_edits_their_own_settings(client, employee):
    client.force_login(employee.user)

    response = client.post(employee.get_absolute_url(), {
        "timezone": "America/Chicago", "cadence_days": "30", "offers_conversations": "on",
        "remind_due_soon": "on", "remind_upcoming": "on",
    }, follow=True)

    assert "Your profile is saved." in response.text
    employee.refresh_from_db()
    assert (employee.timezone, employee.cadence_days, employee.offers_conversations) == ("America/Chicago", 30, True)
    assert (employee.remind_due_soon, employee.remind_overdue, employee.remind_upcoming, employee.remind_notes,
            employee.remind_actions) == (True, False, True, False, False)


def test_a_cadence_less_often_than_the_organisation_s_is_refused_with_a_clear_message(client, employee):
    Organisation.objects.update_or_create(pk=1, defaults={"default_cadence_days": 60})
    client.force_login(employee.user)

    response = client.post(employee.get_absolute_url(), {"timezone": "Europe/London", "cadence_days": "90"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"cadence_days": [
        "The organisation's cadence is every 60 days: you can choose more often, not less."]}
    assert "The organisation&#x27;s cadence is every 60 days: you can choose more often, not less." in response.text
    assert "The organisation has one every 60 days; you can choose more often" in response.text
    employee.refresh_from_db()
    assert employee.cadence_days == 90


def test_a_cadence_under_a_week_is_refused(client, employee):
    client.force_login(employee.user)

    response = client.post(employee.get_absolute_url(), {"timezone": "Europe/London", "cadence_days": "3"})

    assert response.context["form"].errors == {"cadence_days": ["Choose at least 7 days between conversations."]}


def test_only_managers_are_offered_the_weekly_digest(client, employee, manager):
    client.force_login(employee.user)
    assert "A Monday digest of my team" not in client.get(employee.get_absolute_url()).text

    client.force_login(manager.user)
    assert "A Monday digest of my team" in client.get(manager.get_absolute_url()).text


def test_others_see_a_read_only_card(client, employee, mentor):
    client.force_login(employee.user)

    response = client.get(mentor.get_absolute_url())

    assert response.context["form"] is None
    assert "Mina Sato" in response.text and "Principal Engineer" in response.text
    assert "Offers career conversations" in response.text
    assert "mina@example.com" not in response.text and "Save my settings" not in response.text


def test_nobody_can_change_someone_else_s_settings(client, employee, mentor):
    client.force_login(employee.user)

    response = client.post(mentor.get_absolute_url(), {"timezone": "Asia/Tokyo", "cadence_days": "7"})

    assert response.status_code == 404
    mentor.refresh_from_db()
    assert mentor.timezone == "Europe/London"


def test_a_leaver_s_profile_is_gone_except_for_hr(client, employee, hr, stranger):
    Person.objects.filter(pk=stranger.pk).update(is_active=False)

    client.force_login(employee.user)
    assert client.get(stranger.get_absolute_url()).status_code == 404

    client.force_login(hr.user)
    response = client.get(stranger.get_absolute_url())
    assert response.status_code == 200 and "Left" in response.text


def test_hr_sees_account_details_and_can_invite_from_the_profile(client, hr, employee):
    client.force_login(hr.user)

    response = client.get(employee.get_absolute_url())

    assert "eli@example.com" in response.text and "Not invited yet" in response.text
    assert "Send an invitation" in response.text


def test_my_profile_is_in_the_user_menu_and_people_in_the_navigation(client, employee, hr):
    client.force_login(employee.user)
    page = client.get(reverse("home")).text
    assert f'href="{employee.get_absolute_url()}">My profile</a>' in page
    assert ">People</a>" in page and "Import people" not in page

    client.force_login(hr.user)
    assert ">Import people</a>" in client.get(reverse("home")).text


def test_an_unknown_person_answers_404(client, employee):
    client.force_login(employee.user)

    assert client.get(reverse("people:profile", args=[999999])).status_code == 404
