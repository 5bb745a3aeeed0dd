"""In Chromium: HR makes a token for their identity provider, sees it once, and revokes it. axe checks every page."""

import pytest

from people.scim import tokens

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_makes_a_token_sees_it_once_and_revokes_it(ui, hr):
    page = ui.page
    ui.sign_in("hana")
    ui.open_menu("HR")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Identity provider (SCIM)").click()
    page.wait_for_url("**/people/provisioning/")
    ui.check()
    assert page.get_by_text("No tokens yet.").is_visible()

    page.get_by_role("button", name="Make a token").click()
    page.get_by_text("This field is required.").wait_for()
    ui.check()

    page.get_by_label("Identity provider").fill("Okta")
    page.get_by_role("button", name="Make a token").click()
    page.get_by_role("heading", name="Token for Okta").wait_for()
    ui.check()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("ccscim_")
    assert tokens.authenticate(f"Bearer {secret}").name == "Okta"
    row = page.get_by_role("row").filter(has_text="Okta")
    assert row.get_by_role("cell").nth(1).inner_text() == f"{secret[:12]}…"
    assert row.get_by_role("cell").nth(4).inner_text() == "In use"

    ui.goto("/people/provisioning/")
    assert page.get_by_role("heading", name="Token for Okta").count() == 0
    assert secret not in page.content()

    page.get_by_role("button", name="Revoke Okta").click()
    page.wait_for_url("**/people/provisioning/")
    ui.check()
    assert page.get_by_role("row").filter(has_text="Okta").get_by_role("cell").nth(4).inner_text().startswith(
        "Revoked")
    assert page.get_by_role("button", name="Revoke Okta").count() == 0
    assert tokens.authenticate(f"Bearer {secret}") is None
