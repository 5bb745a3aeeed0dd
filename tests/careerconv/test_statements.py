"""Statements written out for the hottest reads give what the ORM gives: the same rows, values converted the same
way (aware datetimes, decrypted text, booleans and dates), None where the ORM finds nothing."""

import datetime

import pytest
from django.db import DataError, transaction
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from careerconv import statements
from conversations import availability
from conversations.models import AvailabilitySettings, CalendarConnection, Conversation
from people.models import Person
from tests.support.factories import ConversationFactory, PersonFactory

pytestmark = pytest.mark.django_db

RELATED = ("user", "department", "availability")


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_one_row_with_its_related_rows_equals_select_related(manager):
    written = statements.one_with_related(Person, manager.pk, RELATED)
    orm = Person.objects.select_related(*RELATED).get(pk=manager.pk)

    assert fields_of(written) == fields_of(orm)
    for name in RELATED:
        assert fields_of(getattr(written, name)) == fields_of(getattr(orm, name))
    assert isinstance(written.created_at, datetime.datetime) and written.created_at.tzinfo is not None
    assert written.is_active is True and isinstance(written.start_date, datetime.date)


def test_related_rows_that_do_not_exist_are_none_as_select_related_leaves_them():
    person = PersonFactory(department=None)

    written = statements.one_with_related(Person, person.pk, RELATED)

    assert written.department is None
    with pytest.raises(AvailabilitySettings.DoesNotExist):
        written.availability  # noqa: B018 - the descriptor raises, as after select_related
    assert availability.settings_for(written).slot_minutes == AvailabilitySettings().slot_minutes


@pytest.mark.parametrize("pk", [0, -1, 2**63, 10**30])
def test_a_key_no_row_has_finds_nothing(pk):
    PersonFactory()
    assert statements.one_with_related(Person, pk, RELATED) is None


def test_encrypted_text_is_decrypted_as_the_orm_decrypts_it(manager):
    connection = CalendarConnection.objects.create(
        person=manager, kind="subscription", label="calendar.example.com",
        address="https://calendar.example.com/secret-address.ics", created_at=datetime.datetime.now(datetime.UTC))

    written = statements.one_with_related(CalendarConnection, connection.pk, ("person",))

    assert written.address == "https://calendar.example.com/secret-address.ics"
    assert written.person.pk == manager.pk


def test_rows_take_and_give_aware_datetimes(manager, employee):
    starts_at = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.UTC)
    ConversationFactory(employee=employee, partner=manager, starts_at=starts_at)

    rows = statements.rows(f"SELECT starts_at, ends_at FROM {statements.table(Conversation)} WHERE starts_at >= %s",
                           [starts_at])

    assert rows == list(Conversation.objects.filter(starts_at__gte=starts_at).values_list("starts_at", "ends_at"))
    assert rows[0][0] == starts_at and rows[0][0].tzinfo is not None


def prepared_names():
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'careerconv%%'")
        return {name for name, in cursor.fetchall()}


COUNT = f"SELECT COUNT(*) FROM {statements.table(Person)} WHERE id >= %s"


@pytest.mark.postgres
def test_on_postgresql_a_statement_is_prepared_once_per_session_and_kept_through_a_rollback(employee):
    everyone, from_employee = Person.objects.count(), Person.objects.filter(pk__gte=employee.pk).count()
    with CaptureQueriesContext(db) as first:
        assert statements.rows(COUNT, [0]) == [(everyone,)]
    with CaptureQueriesContext(db) as second:
        assert statements.rows(COUNT, [employee.pk]) == [(from_employee,)]

    [prepare], [execute] = (queries.captured_queries for queries in (first, second))
    name = prepare["sql"].split()[1]
    assert prepare["sql"].startswith(f"PREPARE {name} AS SELECT COUNT(*)")
    assert execute["sql"].startswith(f"EXECUTE {name}(")
    assert name in prepared_names()

    with pytest.raises(RuntimeError), transaction.atomic():
        statements.rows(COUNT, [0])
        raise RuntimeError
    assert statements.rows(COUNT, [0]) == [(Person.objects.count(),)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_new_session_or_a_failed_execution_prepares_again_when_needed():
    PersonFactory()
    statements.rows(COUNT, [0])
    db.close()  # a new database session knows no prepared statements
    assert statements.rows(COUNT, [0]) == [(1,)]

    with pytest.raises(DataError):
        statements.rows(COUNT, ["not a number"])
    assert statements.rows(COUNT, [0]) == [(1,)]
    assert len(prepared_names()) == 1
