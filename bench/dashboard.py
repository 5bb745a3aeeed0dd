"""Benchmark of the HR participation dashboard on a large organisation (PostgreSQL).

    python bench/dashboard.py [--people 10000] [--conversations N] [--runs 7]

Seeds the configured database (DATABASE_URL) through `manage.py seed_demo --people N` (idempotent: a second run
adds nothing), keeps every view of the dashboard as the background keeping does (conversations/participation/
kept.py) and times that rebuild, then, alternating in each run: renders the dashboard through Django's test client
as the demo HR person (kept figures), renders it filtered on a department, works the same figures out live with
the domain code (what every page load cost before they were kept), computes them with hand-written SQL, and
exports the CSV. Checks that the page's figures agree with the SQL, and ends with one line:

    dashboard_ms=<median page time> queries=<queries per page> raw_sql_ms=<median SQL time> ratio=<page / SQL>
        filtered_ms=<median page time, one department> live_ms=<median live computation> csv_ms=<median CSV time>
        rebuild_s=<time to work out every kept view> views=<how many>
"""

import argparse
import os
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerconv.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.models import Conversation  # noqa: E402
from conversations.participation.figures import (  # noqa: E402
    DEPARTMENT,
    EVERYONE,
    MANAGER,
    TREND_MONTHS,
    Period,
    midnight,
    ongoing_since,
    participation,
    status_moment,
    trend_months,
)
from conversations.participation.kept import keep_participation, kept_participation, requested_view  # noqa: E402
from people.models import Department, Person  # noqa: E402

HR_USERNAME = "hana.reed"
KEPT_LINE = "kept up to date in the background:"

# The same figures as conversations/participation.py, written by hand for PostgreSQL: GROUPING SETS for the three
# breakdowns, percentile_cont for the median, AT TIME ZONE for each person's own calendar.
PEOPLE_SQL = """
WITH per_employee AS (
    SELECT employee_id,
           max(starts_at) FILTER (WHERE status = 'completed' AND starts_at <= %(as_of)s) AS last_held_at,
           count(*) FILTER (WHERE status = 'completed' AND starts_at > %(recent)s AND starts_at <= %(as_of)s)
               AS held_recently,
           count(*) FILTER (WHERE status = 'completed' AND starts_at >= %(start)s AND starts_at <= %(as_of)s
                            AND relation <> 'manager') AS beyond_manager,
           count(*) FILTER (WHERE starts_at >= %(as_of)s AND created_at <= %(as_of)s
                            AND (status IN ('requested', 'confirmed')
                                 OR (status IN ('completed', 'no_show') AND held_at > %(as_of)s)
                                 OR (status = 'cancelled' AND cancelled_at > %(as_of)s))) AS booked
           {month_columns}
    FROM conversations_conversation
    GROUP BY employee_id
), people AS (
    SELECT p.department_id, p.manager_id, p.cadence_days, p.timezone,
           (p.start_date IS NULL OR p.start_date <= %(as_of_day)s)
               AND (p.left_on > %(as_of_day)s OR (p.left_on IS NULL AND p.is_active)) AS active,
           (%(as_of)s AT TIME ZONE p.timezone)::date AS today,
           (c.last_held_at AT TIME ZONE p.timezone)::date AS last_held_on,
           coalesce((c.last_held_at AT TIME ZONE p.timezone)::date, p.start_date,
                    (p.created_at AT TIME ZONE p.timezone)::date) AS due_anchor,
           coalesce(c.held_recently, 0) AS held_recently, coalesce(c.beyond_manager, 0) AS beyond_manager,
           coalesce(c.booked, 0) AS booked
           {month_people}
    FROM people_person p LEFT JOIN per_employee c ON c.employee_id = p.id
)
SELECT GROUPING(department_id) AS by_department, GROUPING(manager_id) AS by_manager, department_id, manager_id,
       count(*) FILTER (WHERE active),
       count(*) FILTER (WHERE active AND held_recently >= 2),
       count(*) FILTER (WHERE active AND last_held_on + cadence_days >= today),
       count(*) FILTER (WHERE active AND booked = 0 AND due_anchor + cadence_days < today),
       count(*) FILTER (WHERE active AND beyond_manager > 0)
       {month_counts}
FROM people
GROUP BY GROUPING SETS ((), (department_id), (manager_id))
"""

CONVERSATIONS_SQL = """
WITH history AS (
    SELECT c.id, c.kind, c.starts_at, p.department_id, p.manager_id,
           (c.starts_at AT TIME ZONE p.timezone)::date
             - (lag(c.starts_at) OVER (PARTITION BY c.employee_id ORDER BY c.starts_at) AT TIME ZONE p.timezone)::date
             AS gap
    FROM conversations_conversation c JOIN people_person p ON p.id = c.employee_id
    WHERE c.status = 'completed' AND c.starts_at <= %(as_of)s
)
SELECT GROUPING(h.department_id), GROUPING(h.manager_id), h.department_id, h.manager_id,
       count(*),
       count(*) FILTER (WHERE h.kind = 'standalone'),
       count(*) FILTER (WHERE pr.shared_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY h.gap)
FROM history h LEFT JOIN conversations_preparation pr ON pr.conversation_id = h.id
WHERE h.starts_at >= %(start)s
GROUP BY GROUPING SETS ((), (h.department_id), (h.manager_id))
"""

ACTIONS_SQL = """
WITH actions AS (
    SELECT e.department_id, e.manager_id, a.owner_kind = 'organisation' AS organisation,
           a.done_at IS NOT NULL AND (a.done_at AT TIME ZONE coalesce(o.timezone, e.timezone))::date <= a.due_on
               AS kept,
           a.due_on < %(as_of_day)s AS past_due
    FROM conversations_actionitem a
    JOIN conversations_conversation c ON c.id = a.conversation_id
    JOIN people_person e ON e.id = c.employee_id
    LEFT JOIN people_person o ON o.id = a.owner_id
    WHERE a.due_on BETWEEN %(start_day)s AND %(end_day)s
)
SELECT GROUPING(department_id), GROUPING(manager_id), department_id, manager_id,
       count(*) FILTER (WHERE NOT organisation AND kept),
       count(*) FILTER (WHERE NOT organisation AND (kept OR past_due)),
       count(*) FILTER (WHERE organisation AND kept),
       count(*) FILTER (WHERE organisation AND (kept OR past_due))
FROM actions
GROUP BY GROUPING SETS ((), (department_id), (manager_id))
"""


def people_sql():
    month_columns, month_people, month_counts = [], [], []
    for i in range(TREND_MONTHS):
        month_columns += [
            f"max(starts_at) FILTER (WHERE status = 'completed' AND starts_at <= %(at_{i})s) AS last_held_{i}",
            f"count(*) FILTER (WHERE status = 'completed' AND starts_at >= %(first_{i})s AND starts_at <= %(at_{i})s)"
            f" AS held_in_{i}",
        ]
        month_people += [
            f"(p.start_date IS NULL OR p.start_date <= %(day_{i})s) AND (p.left_on > %(day_{i})s "
            f"OR (p.left_on IS NULL AND p.is_active)) AS employed_{i}",
            f"(c.last_held_{i} AT TIME ZONE p.timezone)::date + p.cadence_days "
            f">= (%(at_{i})s AT TIME ZONE p.timezone)::date AS on_cadence_{i}",
            f"c.held_in_{i}",
        ]
        month_counts += [f"sum(held_in_{i})", f"count(*) FILTER (WHERE employed_{i})",
                         f"count(*) FILTER (WHERE employed_{i} AND on_cadence_{i})"]
    return PEOPLE_SQL.format(month_columns="".join(", " + column for column in month_columns),
                             month_people="".join(", " + column for column in month_people),
                             month_counts="".join(", " + column for column in month_counts))


def sql_parameters(*, now, period, tz):
    """The moments the SQL compares with, taken from the domain module so that both judge the same instants."""
    as_of = status_moment(now=now, period=period, tz=tz)
    params = {
        "as_of": as_of, "as_of_day": as_of.date(), "start": period.starts_at(tz),
        "recent": ongoing_since(as_of=as_of, tz=tz), "start_day": period.start, "end_day": period.end,
    }
    for i, month in enumerate(trend_months(as_of=as_of, tz=tz)):
        params.update({f"first_{i}": midnight(month.first_day, tz), f"at_{i}": month.at, f"day_{i}": month.day})
    return params


def raw_figures(params):
    """Run the hand-written SQL; returns {(breakdown, key): figures} in the domain's vocabulary."""
    figures = {}

    def key(row):
        by_department, by_manager, department_id, manager_id = row[:4]
        if by_department and by_manager:
            return (EVERYONE, None)
        return (MANAGER, manager_id) if by_department else (DEPARTMENT, department_id)

    with connection.cursor() as cursor:
        cursor.execute(people_sql(), params)
        for row in cursor.fetchall():
            figures.setdefault(key(row), {}).update(zip(("active", "ongoing", "on_cadence", "overdue", "broad"),
                                                        row[4:9]))
            if key(row) == (EVERYONE, None):
                trend = row[9:]
                figures[key(row)]["trend"] = [(int(trend[3 * i] or 0), trend[3 * i + 2], trend[3 * i + 1])
                                              for i in range(TREND_MONTHS)]
        cursor.execute(CONVERSATIONS_SQL, params)
        for row in cursor.fetchall():
            figures.setdefault(key(row), {}).update(zip(("held", "standalone", "prepared", "median_days"), row[4:8]))
        cursor.execute(ACTIONS_SQL, params)
        for row in cursor.fetchall():
            figures.setdefault(key(row), {}).update(zip(
                ("actions_kept", "actions_due", "organisation_actions_kept", "organisation_actions_due"), row[4:8]))
    return figures


def disagreements(result, raw):
    """Where the page's figures and the hand-written SQL's differ (groups with nobody active are left out)."""
    differences = []
    groups = [((EVERYONE, None), result.headline)]
    groups += [((group.kind, group.key), group.figures) for group in result.departments + result.managers]
    for group_key, figures in groups:
        expected = raw.get(group_key, {})
        for name, value in expected.items():
            if name == "trend":
                mine = [(month.held, month.on_cadence, month.employed) for month in result.trend]
                if mine != value:
                    differences.append(f"{group_key} trend: {mine} != {value}")
                continue
            mine = getattr(figures, name)
            if name == "median_days" and None not in (mine, value):
                same = abs(mine - value) < 1e-9
            else:
                same = mine == value
            if not same:
                differences.append(f"{group_key} {name}: page {mine} != SQL {value}")
    return differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=None,
                        help="conversations of history to seed (default: 20 per person)")
    parser.add_argument("--runs", type=int, default=7, help="timed renders, and timed SQL runs (median of each)")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark compares with PostgreSQL SQL: set DATABASE_URL=postgres://… (its own database).")

    conversations = options.conversations or options.people * 20
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", people=options.people, conversations=conversations, quiet=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)

    client = Client()
    hr = User.objects.get(username=HR_USERNAME)
    client.force_login(hr)
    url = reverse("conversations:participation")
    settings.DEBUG = False  # a production-like page: no debug toolbar, no SQL kept beyond what is captured
    tz = zoneinfo.ZoneInfo(hr.person.timezone)

    # What the background keeping does after a change, for every view at once: the HR person's timezone is in use.
    now = timezone.now()
    requested_view(view="12m", tz=tz, department=None, now=now)
    started = time.monotonic()
    views = keep_participation(now=now, everything=True)
    rebuild_s = time.monotonic() - started
    print(f"kept {views} views in {rebuild_s:.1f} s", flush=True)

    client.get(url)  # warm: connection, templates, static manifest
    department = Department.objects.filter(people__isnull=False).order_by("name").first()
    filtered_url = f"{url}?period=12m&department={department.pk}"
    period = Period.last_months(12, today=now.astimezone(tz).date())
    params = sql_parameters(now=now, period=period, tz=tz)
    raw = raw_figures(params)  # warm

    # Page, live figures, SQL and CSV alternate, so that a busy moment on the machine weighs on all alike.
    page_ms, filtered_ms, live_ms, sql_ms, csv_ms, queries = [], [], [], [], [], set()
    for _ in range(options.runs):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            response = client.get(url)
            page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert KEPT_LINE in response.content.decode(), "the page worked its figures out live"
        queries.add(len(context.captured_queries))
        started = time.perf_counter()
        response = client.get(filtered_url)
        filtered_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and KEPT_LINE in response.content.decode()
        started = time.perf_counter()
        participation(now=now, period=period, tz=tz)
        live_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw = raw_figures(params)
        sql_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get(reverse("conversations:participation_csv"))
        csv_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code

    shown = kept_participation(view="12m", period=period, tz=tz, department=None).participation
    differences = disagreements(shown, raw)
    print(f"people={Person.objects.count()} conversations={Conversation.objects.count()} runs={options.runs} "
          f"page_ms={[round(ms) for ms in page_ms]} filtered_ms={[round(ms) for ms in filtered_ms]} "
          f"live_ms={[round(ms) for ms in live_ms]} sql_ms={[round(ms) for ms in sql_ms]} "
          f"csv_ms={[round(ms) for ms in csv_ms]}")
    print("kept figures agree with the hand-written SQL" if not differences else
          "kept figures DISAGREE with the hand-written SQL:\n  " + "\n  ".join(differences[:20]))
    dashboard_ms, raw_sql_ms = statistics.median(page_ms), statistics.median(sql_ms)
    print(f"dashboard_ms={dashboard_ms:.0f} queries={max(queries)} raw_sql_ms={raw_sql_ms:.0f} "
          f"ratio={dashboard_ms / raw_sql_ms:.3f} filtered_ms={statistics.median(filtered_ms):.0f} "
          f"live_ms={statistics.median(live_ms):.0f} csv_ms={statistics.median(csv_ms):.0f} "
          f"rebuild_s={rebuild_s:.1f} views={views}")
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
