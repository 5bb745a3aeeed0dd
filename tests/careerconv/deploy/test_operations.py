"""What an operator relies on, each in a fresh process with only the environment given: the database from its
parts with any password, JSON log lines, and error reports that never carry what people wrote."""

import gzip
import http.server
import json
import threading

from tests.careerconv.test_settings import PRODUCTION, run

PASSWORD = "p@ss:w/rd#1"

DATABASE_PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({key: db.get(key) for key in ("ENGINE", "HOST", "PORT", "NAME", "USER", "PASSWORD")}))
"""


def probe(code, env, tmp_path):
    result = run(["-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return result


def test_the_database_comes_from_its_parts_with_a_password_holding_url_characters(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": "", "POSTGRES_HOST": "db", "POSTGRES_PORT": "5433",
           "POSTGRES_DB": "careerconv", "POSTGRES_USER": "careerconv", "POSTGRES_PASSWORD": PASSWORD}

    database = json.loads(probe(DATABASE_PROBE, env, tmp_path).stdout)

    assert database == {"ENGINE": "django.db.backends.postgresql", "HOST": "db", "PORT": 5433, "NAME": "careerconv",
                        "USER": "careerconv", "PASSWORD": PASSWORD}


def test_a_database_url_with_a_percent_encoded_password_gives_the_password_as_written(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": "postgres://careerconv:p%40ss%3Aw%2Frd%231@db.internal:5432/careerconv"}

    database = json.loads(probe(DATABASE_PROBE, env, tmp_path).stdout)

    assert (database["USER"], database["PASSWORD"], database["HOST"], database["NAME"]) == (
        "careerconv", PASSWORD, "db.internal", "careerconv")


def test_json_logs_are_one_object_per_line_with_the_request_id(tmp_path):
    code = """
import django
django.setup()
from django.test import Client
Client().get("/accounts/login/", HTTP_X_REQUEST_ID="req-0123456789")
"""
    env = {**PRODUCTION, "LOG_FORMAT": "json", "ALLOWED_HOSTS": "testserver", "SECURE_SSL": "false",
           "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    lines = [json.loads(line) for line in probe(code, env, tmp_path).stderr.splitlines() if line.strip()]

    request_line = next(line for line in lines if line["logger"] == "careerconv.requests")
    assert request_line["request_id"] == "req-0123456789"
    assert (request_line["path"], request_line["status"], request_line["level"]) == ("/accounts/login/", 200, "INFO")


class _SentryIngest(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.envelopes.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


ERROR_PROBE = """
import django, sentry_sdk
from unittest import mock
django.setup()
from django.test import Client
import careerconv.health
with mock.patch.object(careerconv.health, "health", side_effect=RuntimeError("the health view broke")):
    Client(raise_request_exception=False).post(
        "/healthz?q=Nadia+Ruiz", {"summary": "PRIVATE NOTE TEXT about a manager"},
        HTTP_COOKIE="sessionid=SESSION-COOKIE-VALUE", HTTP_X_REQUEST_ID="req-0123456789")
sentry_sdk.flush(timeout=10)
"""


def error_environment(tmp_path, **extra):
    return {**PRODUCTION, "ALLOWED_HOSTS": "testserver", "SECURE_SSL": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra}


def test_an_error_reaches_sentry_without_the_request_body_cookies_or_query(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SentryIngest)
    server.envelopes = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        probe(ERROR_PROBE, error_environment(
            tmp_path, SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_address[1]}/1"), tmp_path)
    finally:
        server.shutdown()
        server.server_close()

    sent = "\n".join(server.envelopes)
    assert "the health view broke" in sent
    for private in ["PRIVATE NOTE TEXT", "SESSION-COOKIE-VALUE", "Nadia"]:
        assert private not in sent, private


def test_without_a_dsn_no_error_reporting_starts(tmp_path):
    code = ERROR_PROBE + "\nprint(sentry_sdk.get_client().is_active())\n"

    assert probe(code, error_environment(tmp_path), tmp_path).stdout.strip() == "False"
