"""Aggregates the participation figures need beyond Django's own."""

import statistics

from django.db import NotSupportedError
from django.db.models import Aggregate, FloatField


class _SQLiteMedian:
    """SQLite has no percentile function: Django registers Python aggregates on SQLite the same way."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


class Median(Aggregate):
    """The median of the non-null values: the middle one, or the mean of the middle two."""

    name = "Median"
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Median supports PostgreSQL and SQLite only.")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        # Registering again on the same connection replaces the function: harmless, and it covers connections
        # opened before this module was imported.
        connection.connection.create_aggregate("careerconv_median", 1, _SQLiteMedian)
        return super().as_sql(compiler, connection, function="careerconv_median",
                              template="%(function)s(%(expressions)s)", **extra_context)
