"""Reads written out as SQL, for the few that every page or the booking page makes: building an ORM query costs
several times what the database takes to answer a short one, and on those pages that was most of what they cost.

Values go in and come out as the ORM would pass and give them, on PostgreSQL and SQLite alike: an aware datetime
is adapted for the database, and one read back is aware (SQLite keeps them naive, in UTC).
"""

import datetime

from django.db import connection


def _adapted(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _aware(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def rows(sql, params):
    """The rows of one statement, as tuples."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapted(value) for value in params])
        return [tuple(_aware(value) for value in row) for row in cursor.fetchall()]
