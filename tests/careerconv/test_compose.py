"""docker-compose.yml cannot run here (no Docker engine), so it is checked statically: against the compose
specification, and against what the settings and the app expect of it."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import environ
import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def documented_variables():
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_the_file_is_valid_against_the_compose_specification():
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))

    result = subprocess.run([checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_runs_web_worker_beat_postgres_redis_and_a_mail_catcher(compose):
    services = compose["services"]

    assert {"web", "worker", "beat", "db", "redis", "mail"} <= set(services)
    assert services["web"]["command"][:2] == ["gunicorn", "careerconv.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "careerconv", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "careerconv", "beat"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_every_long_running_service_has_a_health_check(compose):
    for name in ["web", "worker", "db", "redis", "mail"]:
        assert "test" in compose["services"][name]["healthcheck"], name


def test_the_web_health_check_calls_a_public_url_the_app_answers(compose):
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)['\"]", probe).group(1)

    assert resolve(path).url_name == "health"


def test_data_lives_in_named_volumes(compose):
    volumes = set(compose["volumes"])

    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert {"postgres-data", "redis-data"} <= volumes


def test_the_environment_agrees_with_the_settings(compose):
    web = compose["services"]["web"]
    env = web["environment"]

    assert set(env) <= documented_variables()
    assert env["DEBUG"] == "false"
    database = environ.Env.db_url_config(env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-careerconv}", "pw"))
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db" and database["NAME"] == compose["services"]["db"]["environment"]["POSTGRES_DB"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    email = environ.Env.email_url_config(env["EMAIL_URL"])
    assert email["EMAIL_HOST"] == "mail" and email["EMAIL_PORT"] == 1025
    assert "${SECRET_KEY:?" in env["SECRET_KEY"]  # compose refuses to start without one


def test_worker_and_beat_share_the_web_service_s_configuration(compose):
    services = compose["services"]

    assert services["worker"]["environment"] == services["web"]["environment"]
    assert services["beat"]["environment"] == services["web"]["environment"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_serves_collected_static_files_through_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("FROM python:3.11")
    assert "collectstatic --no-input" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert '"gunicorn", "careerconv.wsgi"' in dockerfile
