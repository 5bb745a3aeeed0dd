"""Every page but sign-in (and what must be reachable without a session) requires a signed-in user."""

import pytest

from tests.support.urlwalk import all_routes

pytestmark = pytest.mark.django_db

# Reachable without signing in, and why.
PUBLIC = {
    "login", "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "health",  # the load balancer's and compose's health check
    "admin:login",  # the admin's own sign-in form
    "conversations:calendar_feed",  # a calendar app subscribes with the secret in the URL, not a session
    "people:invitation_accept",  # a new person sets their first password from the invitation's link
    "people:sso_login", "people:sso_callback",  # single sign-on starts and ends before there is a session
    "favicon",  # browsers ask for it before anyone signs in; it redirects to the static icon
}
# An identity provider calls SCIM with a bearer token, never a session: without a token it is refused (401), not sent
# to the sign-in page (tests/people/test_scim.py).
PUBLIC_NAMESPACES = ("scim:",)


def protected_routes():
    return [route for route in all_routes()
            if route.name not in PUBLIC and not (route.name or "").startswith(PUBLIC_NAMESPACES)]


def test_the_walk_finds_the_project_s_pages():
    names = {route.name for route in all_routes()}

    assert {"home", "login", "logout", "password_change", "admin:index"} <= names


@pytest.mark.parametrize("route", protected_routes(), ids=lambda r: f"{r.name or '-'} {r.path}")
def test_an_anonymous_visitor_is_sent_to_sign_in(client, route):
    response = client.get(route.path)

    assert response.status_code == 302, f"{route.path} answered {response.status_code}"
    assert "/login/" in response.headers["Location"]


def test_the_sign_in_page_and_health_check_are_public(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"
