"""Database expressions for dates that depend on each person's timezone.

The sweep keeps its query count independent of the headcount by asking the database for everyone at once; what
differs per timezone (today's date, the next sending window) is computed once per timezone in Python and passed
in as a CASE over the timezone column. A CASE with one branch per timezone in use stays small: organisations
use a handful of timezones, and there are a few hundred in all.
"""

from django.db.models import Case, CharField, DateField, Func, Value, When
from django.db.models.functions import TruncDate


def per_zone(clocks, value_of, *, field, output_field):
    """`value_of(clock)` for the timezone in `field`, as a CASE the database evaluates per row; NULL for a
    timezone without a clock (an unknown name)."""
    return Case(
        *[When(**{field: name}, then=Value(value_of(clock), output_field=output_field))
          for name, clock in clocks.items()],
        default=None,
        output_field=output_field,
    )


def local_date(expression, clocks, *, field):
    """The local date of a UTC instant in the timezone held in `field`. Unlike date_expressions.LocalDate it names
    only timezones that exist, so one misspelt timezone in the people table cannot fail the whole sweep."""
    return Case(
        *[When(**{field: name}, then=TruncDate(expression, tzinfo=clock.tz)) for name, clock in clocks.items()],
        default=None,
        output_field=DateField(),
    )


class UTCMinute(Func):
    """An instant as text to the minute in UTC, e.g. 2026-03-02T10:00Z: the same on every database, so that a
    reminder's period reads the same wherever it was decided."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI\"Z\"')"

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS…' text in UTC. (strftime would need a % in the SQL,
        # which Django's debug logging of queries with parameters cannot format.)
        template = "(substr(%(expressions)s, 1, 10) || 'T' || substr(%(expressions)s, 12, 5) || 'Z')"
        return super().as_sql(compiler, connection, template=template, **extra_context)
