"""Fixtures shared by the whole suite: personas, the services switch, and a real Celery worker."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

from conversations import availability
from conversations.calendars import connections
from tests.support.factories import AvailabilityFactory, PersonFactory, make_hr, weekday_windows

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_addoption(parser):
    parser.addoption(
        "--require-services",
        action="store_true",
        default=os.environ.get("REQUIRE_SERVICES") == "1",
        help="Fail, instead of skipping, a test whose service (PostgreSQL, Redis, Chromium) is missing.",
    )


def _missing(request, reason):
    if request.config.getoption("--require-services"):
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing(request, "PostgreSQL not configured (set DATABASE_URL=postgres://…)")
    if request.node.get_closest_marker("redis") and not redis_reachable():
        _missing(request, "Redis not reachable (set REDIS_URL=redis://…)")


@pytest.fixture(autouse=True)
def _fresh_kept_times():
    """Each process keeps merged busy times and offered slots under keys of row ids and versions. Rows are never
    renumbered in use, but a test's rows are rolled back, and SQLite then gives the next test's rows the same ids."""
    connections._merged_busy_times.cache_clear()
    availability._offered_starts_of_version.cache_clear()


@pytest.fixture
def employee_manager():
    """An engineering manager with one report, both in London."""
    manager = PersonFactory(user__username="maya", user__first_name="Maya", user__last_name="Okafor",
                            job_title="Engineering Manager")
    employee = PersonFactory(user__username="eli", user__first_name="Eli", user__last_name="Brandt", manager=manager)
    return employee, manager


@pytest.fixture
def employee(employee_manager):
    return employee_manager[0]


@pytest.fixture
def manager(employee_manager):
    AvailabilityFactory(person=employee_manager[1])
    weekday_windows(employee_manager[1])
    return employee_manager[1]


@pytest.fixture
def mentor():
    person = PersonFactory(user__username="mina", user__first_name="Mina", user__last_name="Sato",
                           job_title="Principal Engineer", offers_conversations=True)
    AvailabilityFactory(person=person)
    weekday_windows(person)
    return person


@pytest.fixture
def hr():
    return make_hr(PersonFactory(user__username="hana", user__first_name="Hana", user__last_name="Reed",
                                 job_title="HR Partner", department__name="People"))


@pytest.fixture
def stranger():
    return PersonFactory(user__username="sam", user__first_name="Sam", user__last_name="Ivers",
                         department__name="Sales", job_title="Account Executive")


@pytest.fixture
def celery_live_worker(transactional_db):
    """A real Celery worker thread consuming from the configured broker (Redis in CI).

    Tasks stop running inline for the test's duration; the worker sees committed rows only, hence the
    transactional database. No ping check: the app keeps no task results, so tests wait on the effect instead.
    """
    from celery.contrib.testing.worker import start_worker

    from careerconv.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def oidc_provider(settings):
    """An OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py), and single sign-on turned on against it."""
    from tests.support.oidc_provider import OIDCProvider

    running = OIDCProvider(client_id="careerconv", client_secret="client-secret").start()
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    settings.OIDC_OP_DISCOVERY_URL = running.discovery_url
    settings.OIDC_RP_CLIENT_ID = "careerconv"
    settings.OIDC_RP_CLIENT_SECRET = "client-secret"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "people.sso.EmailOIDCBackend"]
    yield running
    running.stop()
