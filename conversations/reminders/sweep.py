"""The sweep: record what is due, then hand it to the sender.

Recording is one `INSERT … SELECT … ON CONFLICT DO NOTHING` per selection (a few kinds each): the database
selects everyone due and inserts the rows that are not there yet, so a duplicate beat tick, two sweeps at once or a
sweep after an outage add nothing that exists. The reminder's row exists before anything is sent; sending is
`conversations.reminders.sending`.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import DatabaseError, connection

from conversations.models import Reminder
from conversations.reminders import sending
from conversations.reminders.selection import COLUMNS, SELECTIONS, Context, union_sql, without_jit

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    recorded: Counter = field(default_factory=Counter)
    recorded_ids: list = field(default_factory=list)
    dispatch: object = None

    def __str__(self):
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.recorded.items())) or "nothing new"
        return f"recorded {sum(self.recorded.values())} ({kinds}); {self.dispatch}"


def record_due(ctx):
    """Insert a pending Reminder for each reminder due and not yet recorded; returns {kind: count}, new ids."""
    table = Reminder._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("kind", "recipient_id", "subject", "period", "not_before",
                                                  "status", "attempts", "last_error", "created_at"))
    recorded, ids = Counter(), []
    with without_jit():
        for selection in SELECTIONS:
            compiled = selection.sql(ctx)
            if compiled is None:
                continue
            sql, params = compiled
            # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
            statement = (f"INSERT INTO {quote(table)} ({columns}) "
                         f"SELECT {', '.join(f'due.{column}' for column in COLUMNS)}, %s, 0, '', %s "
                         f"FROM ({sql}) due WHERE true ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('kind')}")
            try:
                with connection.cursor() as cursor:
                    cursor.execute(statement, (Reminder.Status.PENDING,
                                               connection.ops.adapt_datetimefield_value(ctx.now), *params))
                    rows = cursor.fetchall()
            except DatabaseError:
                # One selection failing (a bad row, a lock timeout) must not stop the others; the next sweep tries
                # again.
                logger.exception("Recording reminders (%s) failed", selection.name)
                continue
            for pk, kind in rows:
                recorded[kind] += 1
                ids.append(pk)
    return recorded, ids


def sweep(*, now, enqueue):
    """One sweep: record what is due at `now`, then hand what may go out now to workers through `enqueue`
    (tasks.publish in production)."""
    ctx = Context.at(now)
    result = SweepResult()
    result.recorded, result.recorded_ids = record_due(ctx)
    result.dispatch = sending.dispatch(ctx=ctx, enqueue=enqueue)
    if result.recorded:
        logger.info("Reminder sweep at %s: %s", now.isoformat(), result)
    return result


@dataclass(frozen=True)
class Decision:
    kind: str
    recipient_id: int
    subject: str
    period: str
    not_before: object
    status: str | None  # the recorded reminder's status; None when the sweep would record it now


def preview(*, now):
    """What a sweep at `now` would decide, without recording or sending anything (for --dry-run)."""
    ctx = Context.at(now)
    compiled = union_sql(ctx)
    if compiled is None:
        return ctx, []
    sql, params = compiled
    table = connection.ops.quote_name(Reminder._meta.db_table)
    statement = (f"SELECT due.r_kind, due.r_recipient, due.r_subject, due.r_period, due.r_not_before, "
                 f"(SELECT r.status FROM {table} r WHERE r.kind = due.r_kind AND r.recipient_id = due.r_recipient "
                 f"AND r.subject = due.r_subject AND r.period = due.r_period) "
                 f"FROM ({sql}) due ORDER BY due.r_recipient, due.r_kind, due.r_subject")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return ctx, [Decision(*row) for row in rows]
