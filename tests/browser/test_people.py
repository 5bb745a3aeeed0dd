"""In Chromium: HR imports people through the preview, a person edits their profile, the directory searches
as you type, and single sign-on goes through the provider and back. axe checks every page."""

import pytest

from people.models import Organisation, Person
from tests.support.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "Employee ID,Work Email,First Name,Last Name,Job Title,Department,Manager ID,Status\n"
BROKEN = (HEADER
          + "E1,ada@example.com,Ada,Lovelace,CTO,Engineering,,Active\n"
          + "E2,alan@example,Alan,Turing,Research Engineer,Research,E1,Active\n"
          + "E3,grace@example.com,Grace,Hopper,Staff Engineer,Engineering,E9,Active\n")
FIXED = BROKEN.replace("alan@example,", "alan@example.com,").replace(",E9,", ",E1,")


def test_hr_previews_a_file_sees_its_problems_fixes_it_and_imports_it(ui, hr, tmp_path):
    broken, fixed = tmp_path / "workday-broken.csv", tmp_path / "workday.csv"
    broken.write_text(BROKEN)
    fixed.write_text(FIXED)
    page = ui.page
    ui.sign_in("hana")
    ui.open_menu("HR")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import people").click()
    page.wait_for_url("**/people/import/")
    ui.check()

    page.get_by_label("CSV file").set_input_files(str(broken))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url("**/people/import/*/")
    ui.check()
    assert page.get_by_role("heading", name="2 problems to fix").is_visible()
    problems = page.get_by_role("table").first
    assert problems.get_by_role("row").nth(1).inner_text().split("\t") == [
        "3", "Work Email", "“alan@example” is not a valid e-mail address."]
    assert problems.get_by_role("row").nth(2).inner_text().split("\t") == [
        "4", "Manager ID", "No one with the employee id E9 is in this file or in careerconv."]
    assert page.get_by_role("button", name="Import now").count() == 0
    assert Person.objects.count() == 1

    page.get_by_role("link", name="Upload the corrected file").click()
    page.wait_for_url("**/people/import/")
    page.get_by_label("CSV file").set_input_files(str(fixed))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url("**/people/import/*/")
    ui.check()
    assert page.get_by_role("heading", name="What this import will do").is_visible()
    assert page.get_by_text("3 new", exact=False).first.is_visible()
    assert page.get_by_role("cell", name="grace@example.com").is_visible()

    page.get_by_role("button", name="Import now").click()
    page.get_by_role("heading", name="Imported").wait_for()
    ui.check()
    assert page.get_by_text("3 new, 0 updated, 0 marked as left, 0 unchanged").is_visible()
    assert Person.objects.get(employee_id="E3").manager.employee_id == "E1"

    page.get_by_role("link", name="See the people directory").click()
    page.wait_for_url("**/people/")
    ui.check()
    assert page.get_by_role("link", name="Grace Hopper", exact=True).is_visible()


def test_the_directory_searches_as_you_type(ui, employee, mentor, stranger):
    ui.sign_in("eli")
    ui.goto("/people/")

    ui.page.get_by_label("Search").fill("principal")
    # The visible count in the results (a hidden live region outside them repeats it for screen readers).
    ui.page.locator("#directory-results").get_by_text("1 person").wait_for()
    ui.check()

    assert ui.page.get_by_role("link", name="Mina Sato", exact=True).is_visible()
    assert ui.page.get_by_role("link", name="Sam Ivers").count() == 0
    assert "q=principal" in ui.page.url


def test_a_person_sets_their_cadence_and_is_told_when_it_is_too_long(ui, employee):
    Organisation.objects.update_or_create(pk=1, defaults={"default_cadence_days": 60})
    page = ui.page
    ui.sign_in("eli")
    ui.open_menu("Eli Brandt")
    page.get_by_role("link", name="My profile").click()
    page.wait_for_url(f"**/people/{employee.pk}/")
    ui.check()

    page.get_by_label("Days between my career conversations").fill("90")
    page.get_by_role("button", name="Save my settings").click()
    page.get_by_text("The organisation's cadence is every 60 days: you can choose more often, not less.").wait_for()
    ui.check()

    page.get_by_label("Days between my career conversations").fill("30")
    page.get_by_label("I offer career conversations to people other than my own reports").check()
    page.get_by_label("When my conversation is overdue").uncheck()
    page.get_by_role("button", name="Save my settings").click()
    page.get_by_text("Your profile is saved.").wait_for()
    ui.check()
    employee.refresh_from_db()
    assert (employee.cadence_days, employee.offers_conversations, employee.remind_overdue) == (30, True, False)


def test_someone_else_s_profile_is_a_read_only_card(ui, employee, mentor):
    ui.sign_in("eli")
    ui.goto(f"/people/{mentor.pk}/")

    assert ui.page.get_by_role("heading", name="Mina Sato").is_visible()
    assert ui.page.get_by_text("Offers career conversations").is_visible()
    assert ui.page.get_by_role("button", name="Save my settings").count() == 0


def test_a_person_signs_in_with_single_sign_on_in_the_browser(ui, oidc_provider):
    person = PersonFactory(user__username="nia", user__email="nia@example.com", user__first_name="Nia")
    oidc_provider.identity = {"sub": "nia", "email": "nia@example.com", "email_verified": True}
    ui.goto("/accounts/login/")

    ui.page.get_by_role("link", name="Sign in with Acme SSO").click()
    ui.page.wait_for_url(ui.base_url + "/")
    ui.check()

    assert ui.page.get_by_role("heading", name="Hello, Nia").is_visible()
    person.user.refresh_from_db()
    assert person.user.last_login is not None


@pytest.mark.redis
def test_a_long_import_runs_on_the_worker_while_the_page_follows_its_progress(ui, hr, tmp_path, celery_live_worker):
    rows = ["E0,boss@example.com,Bo,Ss,CEO,Board,,Active"] + [
        f"E{n},p{n}@example.com,P{n},Person,Engineer,Engineering,E0,Active" for n in range(1, 3000)]
    people = tmp_path / "everyone.csv"
    people.write_text(HEADER + "\n".join(rows) + "\n")
    ui.sign_in("hana")
    ui.goto("/people/import/")
    ui.page.get_by_label("E-mail an invitation to each new person").uncheck()
    ui.page.get_by_label("CSV file").set_input_files(str(people))
    ui.page.get_by_role("button", name="Preview the import").click()
    ui.page.get_by_role("button", name="Import now").click()

    # The page polls the worker's progress until the result replaces the bar, without a reload.
    ui.page.get_by_role("heading", name="Imported").wait_for(timeout=60_000)
    ui.check()

    assert ui.page.get_by_text("3000 new, 0 updated, 0 marked as left, 0 unchanged").is_visible()
    assert Person.objects.filter(manager__employee_id="E0").count() == 2999


def test_an_import_marks_nobody_as_left_unless_asked_and_a_mass_leaving_is_typed_to_confirm(ui, hr, tmp_path):
    for number in range(9):
        PersonFactory(user__first_name="Staff", user__last_name=f"Member {number}")
    two_people = tmp_path / "two-people.csv"
    two_people.write_text(HEADER + "E1,ada@example.com,Ada,Lovelace,CTO,Engineering,,Active\n"
                          + "E2,alan@example.com,Alan,Turing,Engineer,Research,E1,Active\n")
    page = ui.page
    ui.sign_in("hana")
    ui.goto("/people/import/")

    assert not page.get_by_label("This file lists everyone who works here").is_checked()
    assert not page.get_by_label("E-mail an invitation to each new person").is_checked()
    page.get_by_label("CSV file").set_input_files(str(two_people))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url("**/people/import/*/")
    assert page.get_by_text("lists some people (nobody is marked as left)").is_visible()
    assert page.get_by_label("To mark them as left, type 9").count() == 0

    ui.goto("/people/import/")
    page.get_by_label("This file lists everyone who works here").check()
    page.get_by_label("CSV file").set_input_files(str(two_people))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_url("**/people/import/*/")
    ui.check()
    warning = page.locator("#leavers-warning")
    assert "would mark 9 of the 10 active people as having left" in " ".join(warning.inner_text().split())
    assert warning.evaluate("element => getComputedStyle(element).color") == "rgb(88, 21, 28)"

    page.get_by_role("button", name="Import now").click()
    page.wait_for_load_state()
    ui.check()
    confirm = page.get_by_label("To mark them as left, type 9")
    assert confirm.get_attribute("aria-invalid") == "true"
    assert page.get_by_text("Type 9 to confirm that so many people have left").is_visible()
    assert Person.objects.filter(is_active=True).count() == 10

    confirm.fill("9")
    page.get_by_role("button", name="Import now").click()
    page.get_by_role("heading", name="Imported").wait_for()
    assert page.get_by_text("2 new, 0 updated, 9 marked as left, 0 unchanged").is_visible()
    assert sorted(Person.objects.filter(is_active=True).values_list("user__first_name", flat=True)) == [
        "Ada", "Alan", "Hana"]
