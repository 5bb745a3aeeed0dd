"""Looking never changes anything: every URL of the project, opened with GET by every persona, writes nothing to the
database but the audit log (which records who read what) and what signing in itself keeps (the session, the last
sign-in time, django-axes' records).

The URLs come from the URLconf and are filled in with the objects of the authorisation matrix's organisation, to
which two people are added whose manager has just changed: one through `set_manager` (their handover is open and
they were told), one by a plain UPDATE that nothing announced (their handover is due but not opened yet). The
organisation is built once for the module; each request runs in a savepoint that is rolled back.
"""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Handover, Notes, Notification
from people.models import Person
from people.org import set_manager
from tests.careerconv.test_authorisation_matrix import World, expectation, fill, key_of
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory, PersonFactory
from tests.support.urlwalk import all_routes

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "employee", "manager", "partner_mentor", "hr", "other_employee", "superuser",
            "new_report", "quietly_moved")

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
# What reading and signing in keep, whatever the page.
ALLOWED_TABLES = {"conversations_auditevent", "django_session", "axes_accessattempt", "axes_accesslog",
                  "axes_accessfailurelog"}
# The one GET whose purpose is a write: following a notification's link marks it read.
ALLOWED_ON_ROUTE = {("conversations:notification_open", "conversations_notification")}


class WorldWithNewManagers(World):
    def __init__(self):
        super().__init__()
        earlier = timezone.now() - datetime.timedelta(days=60)
        for name, first_name in (("new_report", "Nia"), ("quietly_moved", "Quentin")):
            person = PersonFactory(user__username=first_name.lower(), user__first_name=first_name,
                                   manager=self.manager)
            held = ConversationFactory(employee=person, partner=self.manager, relation="manager",
                                       starts_at=earlier, status="completed")
            NotesFactory(conversation=held, author=self.manager, visibility=Notes.Visibility.SHARED)
            ActionItemFactory(conversation=held, text="Pair with the data team")
            setattr(self, name, person)
        set_manager(person=self.new_report, manager=self.other_manager)
        Person.objects.filter(pk=self.quietly_moved.pk).update(manager=self.other_manager)
        self.quietly_moved.refresh_from_db()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = WorldWithNewManagers()
        yield world
        transaction.set_rollback(True)


def test_the_organisation_has_an_open_and_an_unopened_handover(world):
    assert Handover.objects.filter(employee=world.new_report, decided_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.new_report, url=reverse("conversations:handover")).exists()
    assert not Handover.objects.filter(employee=world.quietly_moved).exists()


def writes_in(queries, route_key):
    """The writes among these queries that neither the audit log nor signing in accounts for."""
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match is None:
            continue
        table = match.group(1)
        if table in ALLOWED_TABLES or (route_key, table) in ALLOWED_ON_ROUTE:
            continue
        if table == "auth_user" and re.match(r'^\s*UPDATE\s+"auth_user"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE',
                                             query["sql"], re.I):
            continue
        found.append(query["sql"][:200])
    return found


def get_and_capture(client, path):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        transaction.set_rollback(True)
    return response, queries.captured_queries


@pytest.mark.parametrize("route", all_routes(), ids=lambda r: f"{r.name or '-'} {r.path}")
def test_opening_a_page_writes_nothing_but_the_audit_log(world, route):
    key = key_of(route)
    expected, model_label = expectation(key)
    chosen = expected.params if expected is not None else {}
    path = fill(route.pattern, {name: world.value(chosen.get(name, name), model_label) for name in route.params})

    found = []
    for persona in PERSONAS:
        client = Client()
        user = None if persona == "anonymous" else world.superuser if persona == "superuser" else getattr(
            world, persona).user
        if user is not None:
            client.force_login(user)
        response, queries = get_and_capture(client, path)
        assert response.status_code < 500, f"{persona} GET {path}: {response.status_code}"
        found += [f"{persona} GET {path}: {sql}" for sql in writes_in(queries, key)]

    assert not found, "\n".join(found)
