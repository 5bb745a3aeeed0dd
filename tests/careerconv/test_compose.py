"""docker-compose.yml, checked statically: against the compose specification, and against what the settings, an
operator and scaling out expect of it. tests/careerconv/deploy/test_stack.py runs it on the host."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import resolve

from tests.careerconv.deploy.stack import interpolate, read_env_file

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose():
    import yaml

    return yaml.safe_load(COMPOSE.read_text())


def documented_variables():
    """Every variable .env.example names, set (required) or commented out (optional, with its default)."""
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_the_file_is_valid_against_the_compose_specification():
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))

    result = subprocess.run([checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_runs_a_tls_proxy_web_worker_beat_postgres_and_redis(compose):
    services = compose["services"]

    assert services["proxy"]["image"].startswith("caddy:")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])
    assert services["web"]["command"][:2] == ["gunicorn", "careerconv.wsgi"]
    assert services["worker"]["command"][-6:-4] == ["careerconv", "worker"]
    assert services["beat"]["command"][3:5] == ["careerconv", "beat"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_only_the_proxy_is_published_and_web_replicas_are_interchangeable(compose):
    services = compose["services"]

    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy", "mail"}
    assert all("container_name" not in service for service in services.values())
    # Nothing on a replica's disk that another needs: no volumes on web or worker.
    assert "volumes" not in services["web"] and "volumes" not in services["worker"]


def test_the_mail_catcher_is_an_opt_in_profile_on_loopback(compose):
    mail = compose["services"]["mail"]

    assert mail["profiles"] == ["mailcatcher"]
    assert all(port.startswith("127.0.0.1:") for port in mail["ports"])


def test_every_long_running_service_has_a_health_check(compose):
    for name in ["web", "worker", "beat", "db", "redis", "mail"]:
        assert "test" in compose["services"][name]["healthcheck"], name


def test_the_web_health_check_calls_a_public_url_the_app_answers(compose):
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)['\"]", probe).group(1)

    assert resolve(path).url_name == "health"


def test_the_worker_health_check_asks_its_own_node_only(compose):
    check = compose["services"]["worker"]["healthcheck"]["test"]

    assert check[0] == "CMD-SHELL"
    assert "inspect ping --destination celery@$$HOSTNAME" in check[1]


def test_everything_that_uses_the_database_starts_after_migrate(compose):
    services = compose["services"]

    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_data_lives_in_named_volumes(compose):
    volumes = set(compose["volumes"])

    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert {"postgres-data", "redis-data", "caddy-data"} <= volumes


def test_site_settings_come_from_the_env_file_and_are_documented(compose):
    env = compose["services"]["web"]["environment"]

    assert compose["services"]["web"]["env_file"] == [".env"]
    assert set(env) <= documented_variables()
    assert {"SITE_DOMAIN", "SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_URL", "DEFAULT_FROM_EMAIL",
            "FIELD_ENCRYPTION_KEYS", "SENTRY_DSN"} <= documented_variables()
    for required in ["SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "FIELD_ENCRYPTION_KEYS"]:
        assert f"${{{required}:?" in env[required], required  # compose refuses to start without it
    assert "${SITE_DOMAIN:?" in env["ALLOWED_HOSTS"]


def test_the_stack_is_https_behind_the_proxy_and_mails_through_the_site_s_smtp(compose):
    dotenv = {"SITE_DOMAIN": "careers.example.com", "SECRET_KEY": "k", "POSTGRES_PASSWORD": "p@ss:w/rd#",
              "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587", "DEFAULT_FROM_EMAIL": "a@example.com",
              "FIELD_ENCRYPTION_KEYS": "k2"}
    env = {name: interpolate(str(value), dotenv) for name, value in compose["services"]["web"]["environment"].items()}

    assert (env["DEBUG"], env["BEHIND_PROXY"], env["SECURE_SSL"]) == ("false", "true", "true")
    assert env["SITE_URL"] == "https://careers.example.com"
    assert env["ALLOWED_HOSTS"] == "careers.example.com"
    assert env["EMAIL_URL"] == "smtp+tls://u:p@smtp.example.com:587"
    assert interpolate(compose["services"]["web"]["environment"]["SECURE_SSL"], {**dotenv, "SECURE_SSL": "false"}) \
        == "false"
    # The password travels on its own, as written; no URL to break.
    assert (env["DATABASE_URL"], env["POSTGRES_HOST"], env["POSTGRES_PASSWORD"]) == ("", "db", "p@ss:w/rd#")
    assert env["POSTGRES_DB"] == interpolate(compose["services"]["db"]["environment"]["POSTGRES_DB"], dotenv)
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["LOG_FORMAT"] == "json"


def test_a_missing_required_setting_stops_compose(compose):
    with pytest.raises(ValueError, match="set SECRET_KEY in .env"):
        interpolate(compose["services"]["web"]["environment"]["SECRET_KEY"], {"SECRET_KEY": ""})


def test_every_app_service_shares_the_web_service_s_configuration(compose):
    services = compose["services"]

    for name in APP_SERVICES:
        assert services[name]["environment"] == services["web"]["environment"], name
        assert services[name]["env_file"] == [".env"], name


def test_the_example_env_file_is_a_working_env_file_for_compose(compose, tmp_path):
    """Its required values are there to fill in, and its optional ones are commented out: an empty value would
    reach the settings as an empty string instead of the default."""
    example = read_env_file(ROOT / ".env.example")

    assert set(example) == {"SITE_DOMAIN", "SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_URL", "DEFAULT_FROM_EMAIL",
                            "FIELD_ENCRYPTION_KEYS"}
