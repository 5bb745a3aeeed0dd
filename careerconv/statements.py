"""Reads written out as SQL, for the few that every page or the booking page makes: building an ORM query costs
several times what the database takes to answer a short one, and on those pages that was most of what they cost.

Values go in and come out as the ORM would pass and give them, on PostgreSQL and SQLite alike: an aware datetime
is adapted for the database, and one read back is aware (SQLite keeps them naive, in UTC).

On PostgreSQL each statement is prepared once per database session (PREPARE, then EXECUTE with the values), so
that the server neither parses nor plans it again on every page: for these short reads planning took longer than
answering. A prepared statement belongs to the session, not to a transaction, so a rollback keeps it; a pooler
that hands one session's statements to another (PgBouncer in transaction mode) is not supported.
"""

import datetime
import functools
import hashlib
import weakref
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections


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


# Per database session (a psycopg2 connection): whether each statement is prepared there, by name; None when an
# error came after asking for it, so that the server is asked.
_prepared = weakref.WeakKeyDictionary()


def _execute(connection, cursor, sql, params):
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = f"careerconv_{hashlib.blake2s(sql.encode(), digest_size=10).hexdigest()}"
    known = _prepared.setdefault(connection.connection, {})
    if name in known and known[name] is None:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = %s)", [name])
        known[name] = cursor.fetchone()[0]
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if not known.get(name):
        pieces = sql.split("%s")
        numbered = "".join(f"{piece}${number}" for number, piece in enumerate(pieces[:-1], start=1)) + pieces[-1]
        execute = f"PREPARE {name} AS {numbered}; {execute}"  # one round trip for both
    try:
        cursor.execute(execute, params)
    except Exception:
        known[name] = None
        raise
    known[name] = True


def rows(sql, params):
    """The rows of one statement, as tuples."""
    with connection.cursor() as cursor:
        _execute(connection, cursor, sql, [_adapted(value) for value in params])
        found = cursor.fetchall()
    if connection.vendor == "postgresql":  # its datetimes come back aware
        return found
    return [tuple(_aware(value) for value in row) for row in found]


@dataclass(frozen=True)
class _Part:
    model: type
    field: object  # the relation that leads to it; None for the row asked for
    attnames: list
    pk_index: int
    converters: list  # (column index, expression, [converter]) as the ORM applies them, for columns that have any


@functools.lru_cache(maxsize=64)
def _joined(model, related, connection):
    """The statement, and what to make of its columns, of one `model` row by primary key with the rows that each
    of `related` (forward foreign keys and reverse one-to-one relations) leads to; for one thread's connection,
    whose operations the converters belong to."""
    quote = connection.ops.quote_name
    parts, joins, columns = [], [], []
    for index, name in enumerate((None, *related)):
        alias = f"t{index}"
        field = model._meta.get_field(name) if name else None
        target = field.related_model if field else model
        if field is not None:
            if field.auto_created:  # a reverse one-to-one: the other row points to this one
                on = f"{alias}.{quote(field.field.column)} = t0.{quote(model._meta.pk.column)}"
            else:
                on = f"{alias}.{quote(target._meta.pk.column)} = t0.{quote(field.column)}"
            joins.append(f"LEFT JOIN {table(target)} {alias} ON {on}")
        fields = target._meta.concrete_fields
        columns += [f"{alias}.{quote(f.column)}" for f in fields]
        converters = []
        for position, column_field in enumerate(fields):
            column = column_field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column_field.get_db_converters(connection)
            if found:
                converters.append((position, column, found))
        parts.append(_Part(model=target, field=field, attnames=[f.attname for f in fields],
                           pk_index=[f.primary_key for f in fields].index(True), converters=converters))
    sql = (f"SELECT {', '.join(columns)} FROM {table(model)} t0 {' '.join(joins)}"
           f" WHERE t0.{quote(model._meta.pk.column)} = %s")
    return sql, parts


def one_with_related(model, pk, related):
    """`model.objects.select_related(*related).get(pk=pk)`, or None when there is no such row, from a statement
    built once per process, its values converted as the ORM converts them."""
    connection = connections[DEFAULT_DB_ALIAS]
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    if not low <= pk <= high:  # a number from an address that no row can have, as the ORM treats it
        return None
    sql, parts = _joined(model, tuple(related), connection)
    with connection.cursor() as cursor:
        _execute(connection, cursor, sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    found, start = None, 0
    for part in parts:
        values = list(row[start:start + len(part.attnames)])
        start += len(part.attnames)
        instance = None
        if values[part.pk_index] is not None:
            for index, expression, converters in part.converters:
                for convert in converters:
                    values[index] = convert(values[index], expression, connection)
            instance = part.model.from_db(connection.alias, part.attnames, values)
        if part.field is None:
            found = instance
        else:
            part.field.set_cached_value(found, instance)  # as select_related leaves it: None when there is none
    return found
