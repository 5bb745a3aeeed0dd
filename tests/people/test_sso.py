"""Single sign-on with OpenID Connect, end to end against a provider running in the test on 127.0.0.1."""

import json
from urllib.parse import urlparse

import pytest
import requests
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.urls import reverse

from tests.careerconv.test_settings import PRODUCTION, run
from tests.support.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

PASSWORD_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]


@pytest.fixture
def provider(oidc_provider, settings):
    assert settings.AUTHENTICATION_BACKENDS == [*PASSWORD_BACKENDS, "people.sso.EmailOIDCBackend"]
    return oidc_provider


def sign_in_with_sso(client, provider, *, email, next_url="", **claims):
    """Click "Sign in with …", let the provider authenticate, follow it back; returns the final response."""
    provider.identity = {"sub": f"sub-{email}", "email": email, "email_verified": True, **claims}
    start = client.get(reverse("people:sso_login"), {"next": next_url} if next_url else {})
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlparse(at_provider.headers["Location"])
    assert back.path == reverse("people:sso_callback")
    return client.get(f"{back.path}?{back.query}", follow=True)


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_person_signs_in_with_their_company_account(client, provider, employee):
    response = sign_in_with_sso(client, provider, email="eli@example.com", next_url="/people/")

    assert signed_in_user(client) == str(employee.user.pk)
    assert response.redirect_chain[-1] == ("/people/", 302)
    assert response.context["user"] == employee.user
    token_request = next(params for method, path, params in provider.requests if path == "/token")
    assert token_request["code_verifier"]  # PKCE
    employee.user.refresh_from_db()
    assert employee.user.last_login is not None


def test_the_e_mail_matches_whatever_its_case(client, provider, employee):
    sign_in_with_sso(client, provider, email="ELI@Example.COM")

    assert signed_in_user(client) == str(employee.user.pk)


def test_an_e_mail_nobody_has_is_refused_and_no_account_is_made(client, provider, employee):
    response = sign_in_with_sso(client, provider, email="zed@example.com")

    assert signed_in_user(client) is None
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "No one with the e-mail zed@example.com is in careerconv. Ask HR to add you." in response.text
    assert not User.objects.filter(email="zed@example.com").exists()


def test_someone_who_has_left_is_refused(client, provider, employee):
    employee.is_active = False
    employee.save()

    response = sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) is None
    assert "Your account here is no longer active. Ask HR if this is a mistake." in response.text


def test_an_unverified_e_mail_is_refused(client, provider, employee):
    response = sign_in_with_sso(client, provider, email="eli@example.com", email_verified=False)

    assert signed_in_user(client) is None
    assert "Your company account has not verified eli@example.com." in response.text


def test_an_id_token_not_signed_by_the_provider_is_refused(client, provider, employee):
    provider.sign_with_unknown_key()

    response = sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) is None
    assert "Single sign-on did not complete. Try again; if it keeps failing, tell HR." in response.text


def test_an_id_token_meant_for_another_application_is_refused(client, provider, employee):
    provider.audience = "some-other-app"

    sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) is None


def test_a_callback_replayed_does_not_sign_in_again(client, provider, employee):
    provider.identity = {"sub": "eli", "email": "eli@example.com", "email_verified": True}
    start = client.get(reverse("people:sso_login"))
    callback = urlparse(requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"])
    client.get(f"{callback.path}?{callback.query}")
    client.logout()

    replay = client.get(f"{callback.path}?{callback.query}", follow=True)

    assert replay.status_code == 200 and signed_in_user(client) is None
    assert "Single sign-on did not complete." in replay.text


def test_a_refusal_at_the_provider_is_explained(client, provider, employee):
    provider.deny = True

    response = sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) is None
    assert "Sign-in with Acme SSO was cancelled or refused." in response.text


def test_an_unreachable_provider_is_explained_not_a_server_error(client, provider, settings):
    provider.stop()
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"

    response = client.get(reverse("people:sso_login"), follow=True)

    assert response.status_code == 200
    assert "Acme SSO cannot be reached right now. Try again in a few minutes." in response.text


def test_the_sign_in_page_offers_single_sign_on_next_to_passwords(client, provider):
    page = client.get(reverse("login")).text

    assert 'href="/people/sso/login/">Sign in with Acme SSO</a>' in page
    assert 'name="password"' in page


def test_with_passwords_turned_off_only_single_sign_on_is_offered_and_passwords_fail(client, provider, settings,
                                                                                     employee):
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS
                                        if b != "django.contrib.auth.backends.ModelBackend"]

    page = client.get(reverse("login")).text
    attempt = client.post(reverse("login"), {"username": "eli", "password": PASSWORD})

    assert "Sign in with Acme SSO" in page and 'name="password"' not in page
    assert attempt.status_code == 200 and signed_in_user(client) is None
    sign_in_with_sso(client, provider, email="eli@example.com")
    assert signed_in_user(client) == str(employee.user.pk)


def test_with_passwords_turned_off_the_password_pages_are_not_found(client, settings, employee):
    settings.PASSWORD_SIGN_IN = False

    assert client.get(reverse("password_reset")).status_code == 404
    client.force_login(employee.user)
    assert client.get(reverse("password_change")).status_code == 404
    settings.PASSWORD_SIGN_IN = True
    assert client.get(reverse("password_change")).status_code == 200


def test_without_single_sign_on_its_pages_do_not_exist(client):
    assert client.get(reverse("people:sso_login")).status_code == 404
    assert client.get(reverse("people:sso_callback"), {"code": "x", "state": "y"}).status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).text


def test_an_administrator_without_a_person_can_use_single_sign_on(client, provider):
    admin = User.objects.create_user("admin", email="it@example.com", is_staff=True)

    sign_in_with_sso(client, provider, email="it@example.com")

    assert signed_in_user(client) == str(admin.pk)


def test_a_person_s_account_wins_over_an_account_without_a_person(client, provider):
    User.objects.create_user("old-admin", email="ada@example.com")
    ada = PersonFactory(user__email="ada@example.com")

    sign_in_with_sso(client, provider, email="ada@example.com")

    assert signed_in_user(client) == str(ada.user.pk)


# --- Settings from the environment -----------------------------------------------------------------------------

SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"backends": settings.AUTHENTICATION_BACKENDS, "password": settings.PASSWORD_SIGN_IN,
                  "sso": settings.OIDC_ENABLED, "discovery": settings.OIDC_OP_DISCOVERY_URL}))
"""


def probe(env, tmp_path):
    result = run(["-c", SETTINGS_PROBE], {**PRODUCTION, **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_single_sign_on_is_turned_on_by_the_environment(tmp_path):
    on = probe({"OIDC_ENABLED": "true", "OIDC_OP_DISCOVERY_URL": "https://login.example.com/.well-known/x",
                "PASSWORD_SIGN_IN": "false"}, tmp_path)
    off = probe({"PASSWORD_SIGN_IN": "false"}, tmp_path)

    assert on["sso"] is True and on["password"] is False
    assert on["backends"] == ["axes.backends.AxesStandaloneBackend", "rules.permissions.ObjectPermissionBackend",
                              "people.sso.EmailOIDCBackend"]
    assert on["discovery"] == "https://login.example.com/.well-known/x"
    # Without single sign-on, passwords cannot be turned off: nobody could sign in.
    assert off["sso"] is False and off["password"] is True
    assert off["backends"] == PASSWORD_BACKENDS


# --- Throttling, stored data and stray callbacks ---------------------------------------------------------------

def test_refused_single_sign_ons_from_one_address_never_lock_out_the_next_person(client, provider, employee):
    for number in range(8):
        refused = sign_in_with_sso(client, provider, email=f"stranger{number}@example.com")
        assert f"No one with the e-mail stranger{number}@example.com is in careerconv." in refused.text

    sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) == str(employee.user.pk)
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()


def test_no_authorization_code_or_token_is_stored(client, provider, employee):
    sign_in_with_sso(client, provider, email="zed@example.com")
    sign_in_with_sso(client, provider, email="eli@example.com")

    codes = [params["code"] for method, path, params in provider.requests if path == "/token"]
    secrets_seen = [*codes, *provider.access_tokens]
    assert len(codes) == 2
    stored = [repr(list(model.objects.values())) for model in (AccessAttempt, AccessFailureLog, AccessLog)]
    stored.append(repr(client.session.items()))
    assert not [secret for secret in secrets_seen if any(secret in text for text in stored)]


def test_wrong_passwords_are_still_throttled_per_name_and_address(client, provider, employee):
    for _ in range(5):
        client.post(reverse("login"), {"username": "eli", "password": "not it"})

    locked = client.post(reverse("login"), {"username": "eli", "password": PASSWORD})
    other_name = client.post(reverse("login"), {"username": "nobody", "password": "not it"})

    assert "Too many failed sign-in attempts" in locked.text and signed_in_user(client) is None
    assert other_name.status_code == 200 and "Too many failed sign-in attempts" not in other_name.text
    assert 'href="/people/sso/login/">sign in with' in locked.text


def test_an_error_callback_nobody_started_neither_signs_out_nor_complains(client, employee, provider):
    client.force_login(employee.user)

    response = client.get(reverse("people:sso_callback"), {"error": "access_denied"}, follow=True)

    assert signed_in_user(client) == str(employee.user.pk)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "cancelled or refused" not in response.text


def test_a_password_posted_while_passwords_are_off_is_told_to_use_single_sign_on(client, provider, settings,
                                                                              employee):
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS
                                        if b != "django.contrib.auth.backends.ModelBackend"]

    response = client.post(reverse("login"), {"username": "eli", "password": PASSWORD})
    for _ in range(5):
        locked = client.post(reverse("login"), {"username": "eli", "password": PASSWORD})

    assert "Password sign-in is turned off here. Sign in with Acme SSO instead." in response.text
    assert "Too many failed sign-in attempts" in locked.text and "reset your password" not in locked.text


@pytest.mark.parametrize(("method", "use_basic"), [("client_secret_post", False), ("client_secret_basic", True)])
def test_the_client_secret_goes_the_way_the_client_is_registered(client, provider, settings, employee, method,
                                                                 use_basic):
    provider.token_auth_method = method
    settings.OIDC_TOKEN_USE_BASIC_AUTH = use_basic

    sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) == str(employee.user.pk)
    token_request = next(params for method, path, params in provider.requests if path == "/token")
    assert ("client_secret" in token_request) is (not use_basic)


def test_a_client_registered_another_way_is_refused_not_a_server_error(client, provider, settings, employee):
    provider.token_auth_method = "client_secret_basic"
    settings.OIDC_TOKEN_USE_BASIC_AUTH = False

    response = sign_in_with_sso(client, provider, email="eli@example.com")

    assert signed_in_user(client) is None and "Single sign-on did not complete." in response.text
