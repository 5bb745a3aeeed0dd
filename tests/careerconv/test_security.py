"""Security settings, checked on real responses: headers, cookies, sign-in throttling, session expiry and
password rules. `check --deploy` is run in test_settings.py."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "Too many failed sign-in attempts"
WRONG = "Please enter a correct username and password"


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_every_page_carries_the_security_headers(client, employee, path):
    client.force_login(employee.user)

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_the_content_security_policy_allows_no_inline_or_evaluated_code(client):
    header = client.get("/accounts/login/").headers["Content-Security-Policy"]

    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header
    assert "*" not in header


# --- Production: HSTS, https and cookie flags, from the production environment in a fresh process -------------

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
User.objects.create_user("eli", password="correct-horse-battery")
client = Client(HTTP_HOST="careers.example.com")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
signed_in = client.post("/accounts/login/", {"username": "eli", "password": "correct-horse-battery"}, secure=True)

def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"], "max_age": morsel["max-age"]}

print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.headers.get("Location"),
    "hsts": page.headers.get("Strict-Transport-Security"),
    "signed_in_status": signed_in.status_code,
    "csrf": cookie(page, "csrftoken"), "session": cookie(signed_in, "sessionid"),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL",
                          "STATICFILES_STORAGE", "DJANGO_SETTINGS_MODULE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "careerconv.settings", "CAREERCONV_VAR_DIR": str(folder),
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "careers.example.com", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    })
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://careers.example.com/accounts/login/"


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_production_cookies_are_secure_httponly_and_same_site(production):
    assert production["signed_in_status"] == 302
    assert production["session"] == {"secure": True, "httponly": True, "samesite": "Lax", "max_age": 7200}
    assert production["csrf"]["secure"] is True
    assert production["csrf"]["httponly"] is True
    assert production["csrf"]["samesite"] == "Lax"


# --- Sign-in throttling ----------------------------------------------------------------------------------------


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failed_sign_ins_lock_the_name_with_a_clear_page(client, employee):
    answers = [sign_in(client, "eli", "wrong-password") for _ in range(5)]

    assert [WRONG in answer.content.decode() for answer in answers[:4]] == [True] * 4
    assert answers[4].status_code == 429
    assert LOCKED in answers[4].content.decode()
    assert "reset your password" in answers[4].content.decode()
    right = sign_in(client, "eli", PASSWORD)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_name_does_not_lock_out_another_person(client, employee, manager):
    for _ in range(5):
        sign_in(client, "eli", "wrong-password")

    assert sign_in(client, "maya", PASSWORD).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(client, employee):
    start = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, "eli", "wrong-password")
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert sign_in(client, "eli", PASSWORD).status_code == 429
    # An attempt during the lock starts the fifteen minutes again.
    with time_machine.travel(start + datetime.timedelta(minutes=14 + 16), tick=False):
        assert sign_in(client, "eli", PASSWORD).status_code == 302


# --- Session expiry --------------------------------------------------------------------------------------------


def test_a_session_ends_after_two_hours_without_a_request(client, employee):
    start = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert sign_in(client, "eli", PASSWORD).status_code == 302
    # Each request extends the session: four hours of use, never two hours idle, stays signed in.
    for minutes in (110, 220):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=220 + 121), tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


# --- Password rules --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "message"), [
    ("k3!vB9", "This password is too short. It must contain at least 10 characters."),
    ("password123", "This password is too common."),
    ("4815162342", "This password is entirely numeric."),
    ("eli@example.com", "The password is too similar to the email address."),
])
def test_a_weak_new_password_is_refused_with_the_reason(client, employee, password, message):
    client.force_login(employee.user)

    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    employee.user.refresh_from_db()
    assert employee.user.check_password(PASSWORD)


def test_a_strong_new_password_is_accepted(client, employee):
    client.force_login(employee.user)

    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "granite-otter-lantern-42",
        "new_password2": "granite-otter-lantern-42"})

    assert response.status_code == 302
    employee.user.refresh_from_db()
    assert employee.user.check_password("granite-otter-lantern-42")


def test_a_sign_in_with_a_name_longer_than_any_user_s_is_refused_like_a_wrong_name(client, employee):
    response = sign_in(client, "x" * 5000, "anything")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
