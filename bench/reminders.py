"""Benchmark the reminder sweep against the same selection written by hand as one SQL query.

Seeds N people into the configured database (DATABASE_URL; use a database of its own) with a realistic spread of
due dates — most people on track, some due soon, a tail overdue or never met — plus conversations booked, held
and left unmarked, and open actions; then runs one sweep at `--now` and ends with one line of key=value figures:

    sweep_s      the first sweep: deciding, recording every reminder and finding who to hand to workers
    queries      SQL statements that sweep issued (independent of N)
    reminders    reminders it recorded
    raw_sql_s    the same selection as one hand-written query (PostgreSQL), in the same run and, like the sweep's
                 statements, with PostgreSQL's JIT off
    ratio        sweep_s / raw_sql_s: the sweep against a query that selects but records nothing
    raw_record_s the hand-written query inserting what it selects into the empty table and committing, as the
                 sweep does
    record_ratio sweep_s / raw_record_s: the same work, by the sweep and by hand
    agree        whether the hand-written query selects exactly the reminders the sweep recorded
    second_s     a second sweep at the same instant, which records nothing (a duplicate beat tick)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_reminders python bench/reminders.py --people 100000
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerconv.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-to-sign-anything-real-0123456789")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from conversations.models import ActionItem, Conversation, Notification, Reminder, ReminderEmail  # noqa: E402
from conversations.reminders.selection import without_jit  # noqa: E402
from conversations.reminders.sweep import sweep  # noqa: E402
from people.models import Department, Person  # noqa: E402
from people.roles import HR_GROUP  # noqa: E402

ZONES = [("Europe/London", 35), ("Europe/Berlin", 15), ("America/New_York", 20), ("America/Los_Angeles", 5),
         ("Asia/Kolkata", 10), ("Asia/Singapore", 10), ("Australia/Sydney", 5)]
CADENCES = [(90, 80), (60, 10), (30, 10)]
TEAM_SIZE = 8
BATCH = 5000
DAY = datetime.timedelta(days=1)

# The selection of conversations.reminders.selection, by hand: one statement, PostgreSQL.
RAW_SQL = """
WITH reachable AS (
    SELECT p.*, (%(now)s::timestamptz AT TIME ZONE p.timezone) AS local_now,
           (%(now)s::timestamptz AT TIME ZONE p.timezone)::date AS today
    FROM people_person p JOIN auth_user u ON u.id = p.user_id
    WHERE p.is_active AND u.is_active
),
due AS (
    SELECT r.id, r.manager_id, r.today, r.remind_due_soon, r.remind_overdue,
           COALESCE((SELECT (max(c.starts_at) AT TIME ZONE r.timezone)::date FROM conversations_conversation c
                     WHERE c.employee_id = r.id AND c.status = 'completed'),
                    r.start_date, (r.created_at AT TIME ZONE r.timezone)::date) + r.cadence_days AS due_on
    FROM reachable r
    WHERE NOT EXISTS (SELECT 1 FROM conversations_conversation b WHERE b.employee_id = r.id
                      AND b.status IN ('requested', 'confirmed') AND b.ends_at > %(now)s)
),
hr AS (
    SELECT r.* FROM reachable r JOIN auth_user_groups ug ON ug.user_id = r.user_id
    JOIN auth_group g ON g.id = ug.group_id AND g.name = %(hr)s
)
SELECT 'due_soon', d.id, 'person:' || d.id, d.due_on::text FROM due d
    WHERE d.remind_due_soon AND d.due_on BETWEEN d.today AND d.today + 7
UNION ALL
SELECT 'due_soon_manager', m.id, 'person:' || d.id, d.due_on::text FROM due d JOIN reachable m ON m.id = d.manager_id
    WHERE m.remind_due_soon AND d.due_on BETWEEN d.today AND d.today + 7
UNION ALL
SELECT 'overdue', d.id, 'person:' || d.id, d.due_on::text FROM due d WHERE d.remind_overdue AND d.due_on < d.today
UNION ALL
SELECT 'overdue_manager', m.id, 'person:' || d.id, d.due_on::text FROM due d JOIN reachable m ON m.id = d.manager_id
    WHERE m.remind_overdue AND d.due_on <= d.today - 14
UNION ALL
SELECT 'upcoming', r.id, 'conversation:' || c.id, to_char(c.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')
    FROM conversations_conversation c
    CROSS JOIN LATERAL (VALUES (c.employee_id), (c.partner_id)) AS participant (id)
    JOIN reachable r ON r.id = participant.id
    WHERE r.remind_upcoming AND c.status = 'confirmed'
      AND c.starts_at > %(now)s AND c.starts_at <= %(now)s::timestamptz + interval '24 hours'
UNION ALL
SELECT 'notes', r.id, 'conversation:' || c.id, to_char(c.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')
    FROM conversations_conversation c JOIN reachable r ON r.id = c.partner_id
    WHERE r.remind_notes AND c.status = 'confirmed'
      AND c.ends_at <= %(now)s::timestamptz - interval '24 hours'
      AND c.ends_at > %(now)s::timestamptz - interval '14 days'
UNION ALL
SELECT CASE WHEN a.due_on < r.today THEN 'action_overdue' ELSE 'action_due' END, r.id, 'action:' || a.id,
       a.due_on::text
    FROM conversations_actionitem a JOIN reachable r ON r.id = a.owner_id
    WHERE r.remind_actions AND a.done_at IS NULL AND a.due_on <= r.today + 2
UNION ALL
SELECT CASE WHEN a.due_on < h.today THEN 'action_overdue' ELSE 'action_due' END, h.id, 'organisation',
       a.due_on::text
    FROM (SELECT DISTINCT due_on FROM conversations_actionitem
          WHERE owner_kind = 'organisation' AND done_at IS NULL AND due_on IS NOT NULL) a
    CROSS JOIN hr h
    WHERE h.remind_actions AND a.due_on <= h.today + 2
UNION ALL
SELECT 'digest', m.id, 'team:' || m.id, to_char(m.today, 'IYYY-"W"IW') FROM reachable m
    WHERE m.local_now >= date_trunc('week', m.local_now) + interval '9 hours'
      AND EXISTS (SELECT 1 FROM people_person r WHERE r.manager_id = m.id AND r.is_active)
      AND (m.weekly_digest OR m.id IN (SELECT d.manager_id FROM due d WHERE d.due_on <= d.today - 30))
"""


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def reset():
    for model in (Notification, Reminder, ReminderEmail, ActionItem, Conversation):
        model.objects.all().delete()
    Person.objects.update(manager=None)
    Person.objects.all().delete()
    User.objects.filter(username__startswith="bench").delete()


def seed(count, *, now, rng):
    """People in teams of eight under managers, with the history and plans that make their reminders."""
    department, _ = Department.objects.get_or_create(name="Benchmark")
    hr_group, _ = Group.objects.get_or_create(name=HR_GROUP)
    today = now.date()
    users = User.objects.bulk_create(
        [User(username=f"bench{n}", email=f"bench{n}@example.com", password="!", first_name="Bench",
              last_name=str(n)) for n in range(count)], batch_size=BATCH)
    people = Person.objects.bulk_create(
        [Person(user=user, department=department, timezone=weighted(rng, ZONES), cadence_days=weighted(rng, CADENCES),
                start_date=today - rng.randint(60, 3 * 365) * DAY, is_active=rng.random() > 0.02,
                weekly_digest=rng.random() > 0.2)
         for user in users], batch_size=BATCH)
    managers = people[: max(1, count // TEAM_SIZE)]
    for index, person in enumerate(people):
        if index >= 10:  # the first ten lead the organisation
            person.manager = managers[rng.randrange(min(index, len(managers)))] if index < len(managers) \
                else rng.choice(managers)
    Person.objects.bulk_update(people, ["manager"], batch_size=BATCH)
    hr_people = rng.sample(users, max(2, count // 200))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=hr_group.pk) for user in hr_people], batch_size=BATCH)

    conversations, unmarked = [], []
    for person in people:
        partner = person.manager or managers[-1]
        if partner.pk == person.pk:
            continue
        if rng.random() < 0.88:  # met before: the last conversation spread over 1.3 cadences
            last = now - rng.uniform(0, 1.3 * person.cadence_days) * DAY
            for earlier in range(rng.randint(1, 3)):
                starts = last - earlier * person.cadence_days * DAY
                conversations.append(Conversation(employee=person, partner=partner, relation="manager",
                                                  starts_at=starts, ends_at=starts + datetime.timedelta(minutes=45),
                                                  status=Conversation.Status.COMPLETED, held_at=starts))
        chance = rng.random()
        if chance < 0.15:  # booked: some tomorrow, most within a month
            starts = now + datetime.timedelta(seconds=rng.randint(3600, 30 * 86400))
            conversations.append(Conversation(employee=person, partner=partner, relation="manager", starts_at=starts,
                                              ends_at=starts + datetime.timedelta(minutes=45)))
        elif chance < 0.17:  # held in the last two weeks, not yet marked by the partner
            starts = now - datetime.timedelta(seconds=rng.randint(3600, 14 * 86400))
            unmarked.append(Conversation(employee=person, partner=partner, relation="manager", starts_at=starts,
                                         ends_at=starts + datetime.timedelta(minutes=45)))
    conversations = Conversation.objects.bulk_create(conversations + unmarked, batch_size=BATCH)

    held = [conversation for conversation in conversations if conversation.status == Conversation.Status.COMPLETED]
    actions = []
    for conversation in rng.sample(held, len(held) // 3):
        organisation = rng.random() < 0.1
        actions.append(ActionItem(
            conversation=conversation, text="Shadow the data team for a week",
            owner_kind=ActionItem.Owner.ORGANISATION if organisation else ActionItem.Owner.EMPLOYEE,
            owner=None if organisation else conversation.employee,
            due_on=today + rng.randint(-30, 30) * DAY, done_at=now if rng.random() < 0.4 else None))
    ActionItem.objects.bulk_create(actions, batch_size=BATCH)
    return len(conversations), len(actions)


def raw_selection(now):
    """The hand-written query, under the same session settings as the sweep's statements (JIT off)."""
    with without_jit(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(RAW_SQL, {"now": now, "hr": HR_GROUP})
        rows = cursor.fetchall()
        return time.perf_counter() - started, {tuple(row) for row in rows}


def raw_recording(now):
    """The hand-written query recording what it selects, as the sweep does (INSERT … SELECT … ON CONFLICT DO
    NOTHING into the empty reminder table, committed); the rows are deleted again so that the sweep starts from
    the same empty table."""
    statement = (f"INSERT INTO conversations_reminder (kind, recipient_id, subject, period, not_before, status, "
                 f"attempts, last_error, created_at) SELECT due.*, %(now)s, 'pending', 0, '', %(now)s "
                 f"FROM ({RAW_SQL}) due (kind, recipient_id, subject, period) ON CONFLICT DO NOTHING RETURNING id")
    with without_jit(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(statement, {"now": now, "hr": HR_GROUP})
        cursor.fetchall()
        elapsed = time.perf_counter() - started
        cursor.execute("DELETE FROM conversations_reminder")
        cursor.execute("VACUUM conversations_reminder")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--now", default="2026-03-02T10:00:00+00:00",
                        help="the sweep's instant (default: a Monday, when weekly digests are due too)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true",
                        help="delete every person, conversation and reminder in the database first")
    args = parser.parse_args()
    now = datetime.datetime.fromisoformat(args.now)

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://…): the hand-written query is PostgreSQL's.")
    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        if not args.reset:
            sys.exit("The database has people already: use a database of its own, or --reset to empty it.")
        reset()

    started = time.perf_counter()
    conversations, actions = seed(args.people, now=now, rng=random.Random(args.seed))
    seed_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have done by the time beat runs
    raw_selection(now)  # warm the caches for both
    raw_record_s = raw_recording(now)

    chunks = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = sweep(now=now, enqueue=lambda deliveries, retries, now: chunks.extend(deliveries))
        sweep_s = time.perf_counter() - started
    raw_sql_s, selected = raw_selection(now)
    recorded = set(Reminder.objects.values_list("kind", "recipient_id", "subject", "period"))
    started = time.perf_counter()
    again = sweep(now=now, enqueue=lambda deliveries, retries, now: None)
    second_s = time.perf_counter() - started

    figures = {
        "people": args.people, "conversations": conversations, "actions": actions, "seed_s": f"{seed_s:.1f}",
        "sweep_s": f"{sweep_s:.3f}", "queries": len(queries), "reminders": len(result.recorded_ids),
        "chunks": len(chunks), "raw_sql_s": f"{raw_sql_s:.3f}", "ratio": f"{sweep_s / raw_sql_s:.2f}",
        "raw_record_s": f"{raw_record_s:.3f}", "record_ratio": f"{sweep_s / raw_record_s:.2f}",
        "agree": "yes" if selected == recorded else f"no({len(selected ^ recorded)} differ)",
        "second_s": f"{second_s:.3f}", "second_reminders": len(again.recorded_ids),
    }
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
