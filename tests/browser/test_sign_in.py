import pytest

from tests.support.factories import make_hr

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_signs_in_and_sees_their_own_home(ui, employee):
    ui.sign_in("eli")

    assert ui.page.get_by_role("heading", name="Hello, Eli").is_visible()
    assert ui.page.get_by_role("heading", name="My career conversations").is_visible()
    assert ui.page.get_by_role("heading", name="My team").count() == 0


def test_a_manager_sees_their_team_on_a_phone_sized_screen(ui, manager, employee):
    ui.sign_in("maya")

    assert ui.page.get_by_role("heading", name="My team").is_visible()
    assert ui.page.get_by_role("cell", name="Eli Brandt").is_visible()


def test_hr_sees_the_hr_section(ui, employee):
    make_hr(employee)
    ui.sign_in("eli")

    assert ui.page.get_by_role("heading", name="For HR").is_visible()


def test_a_wrong_password_is_explained_on_the_sign_in_page(ui, employee):
    ui.goto("/accounts/login/")
    ui.page.get_by_label("Username").fill("eli")
    ui.page.get_by_label("Password").fill("not the password")
    ui.page.get_by_role("button", name="Sign in").click()

    assert ui.page.get_by_text("Please enter a correct username and password").is_visible()
    ui.check()
