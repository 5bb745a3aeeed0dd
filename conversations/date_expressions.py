"""Calendar arithmetic in SQL, with the timezone named per row.

Regularity is judged in each person's own calendar (see regularity.py): a conversation held at 23:30 UTC on the
31st is on the 1st for someone in Tokyo. Django's date functions take one timezone per query, so these expressions
take it from a column instead. They support the two databases the app runs on: PostgreSQL (`AT TIME ZONE`) and
SQLite (through the date function Django itself registers on every SQLite connection).
"""

from django.db import NotSupportedError
from django.db.models import DateField, Func, IntegerField


class _PerVendor(Func):
    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"{type(self).__name__} supports PostgreSQL and SQLite only.")


class LocalDate(_PerVendor):
    """LocalDate(instant, timezone_name): the calendar date of an instant in the named timezone."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, template="CAST((%(expressions)s) AS date)",
                           arg_joiner=" AT TIME ZONE ", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores SQLite datetimes as naive UTC text; its registered function converts them per call.
        return Func.as_sql(self, compiler, connection, template="django_datetime_cast_date(%(expressions)s, 'UTC')",
                           **extra_context)


class AddDays(_PerVendor):
    """AddDays(date, days): the date that many days later; `days` may be a column."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, template="(%(expressions)s)", arg_joiner=" + ",
                           **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, template="date(%(expressions)s || ' days')",
                           arg_joiner=", '+' || ", **extra_context)


class DaysBetween(_PerVendor):
    """DaysBetween(later_date, earlier_date): whole days from the earlier date to the later one."""

    arity = 2
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, template="(%(expressions)s)", arg_joiner=" - ",
                           **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection,
                           template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra_context)
