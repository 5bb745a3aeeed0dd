"""/healthz: answered whatever the Host header and scheme, 503 when the database or the broker is down, nothing
private in it; the request id on every response."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from careerconv.heartbeat import record_beat_run, record_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    settings.ALLOWED_HOSTS = ["careers.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""


def test_health_answers_an_unknown_host_over_plain_http(client, production_like):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_other_pages_still_refuse_an_unknown_host_and_redirect_to_https(client, production_like):
    assert client.get("/accounts/login/", HTTP_HOST="careers.example.com").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="evil.example", secure=True).status_code == 400
    assert client.get("/healthzz", HTTP_HOST="evil.example", secure=True).status_code == 400


def test_health_reports_the_last_worker_heartbeat_and_beat_run(client, production_like):
    now = timezone.now()
    record_heartbeat(worker="celery@worker-1", now=now)
    record_beat_run(scheduler="beat-1", now=now)

    report = client.get("/healthz").json()

    assert report["worker_heartbeat"]["at"] == now.isoformat()
    assert report["beat_run"]["at"] == now.isoformat()
    assert report["database"] == report["broker"] == "ok"
    assert "worker-1" not in str(report) and "beat-1" not in str(report)


def test_a_broker_that_does_not_answer_makes_health_503(client, production_like, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert (response.json()["status"], response.json()["broker"]) == ("unavailable", "down")
    assert "127.0.0.1" not in response.content.decode()


def test_a_database_that_does_not_answer_makes_health_503(client, production_like):
    with mock.patch("careerconv.health.connection.cursor", side_effect=OperationalError("could not connect")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["worker_heartbeat"] is None
    assert "could not connect" not in response.content.decode()


def test_a_request_id_from_the_proxy_is_kept_and_one_is_made_up_otherwise(client):
    offered = client.get("/accounts/login/", HTTP_X_REQUEST_ID="0f8fad5b-d9cb-469f-a165-70867728950e")
    made_up = client.get("/accounts/login/", HTTP_X_REQUEST_ID="not a valid id\n")

    assert offered["X-Request-ID"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert len(made_up["X-Request-ID"]) == 32 and " " not in made_up["X-Request-ID"]
