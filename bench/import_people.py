"""Import 20,000 people from a generated HR export and print rows per second.

Runs against a throwaway test database (created on the configured DATABASE_URL's server and dropped afterwards):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careerconv python bench/import_people.py [--rows 20000]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerconv.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from people.importing import apply_import, read_people_file  # noqa: E402
from people.models import Person  # noqa: E402

DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Product", "Design", "Legal",
               "Operations"]
TIMEZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", ""]


def people_file(rows):
    """A realistic export: a management tree ten wide, departments, timezones, a few leavers."""
    lines = ["Employee ID,Work Email,First Name,Last Name,Job Title,Department,Manager ID,Time Zone,Hire Date,"
             "Employment Status"]
    for n in range(rows):
        manager = "" if n == 0 else f"E{(n - 1) // 10:06d}"
        status = "Terminated" if n % 97 == 96 else "Active"
        lines.append(
            f"E{n:06d},person{n}@example.com,First{n},Last{n},Engineer {n % 5},{DEPARTMENTS[n % 10]} {n % 30},"
            f"{manager},{TIMEZONES[n % 5]},2020-{n % 12 + 1:02d}-{n % 28 + 1:02d},{status}"
        )
    return ("\n".join(lines) + "\n").encode()


def timed(label, rows, work):
    started = time.perf_counter()
    outcome = work()
    seconds = time.perf_counter() - started
    counts = outcome.plan.counts()
    print(f"{label:<28} {seconds:6.2f} s  {rows / seconds:8,.0f} rows/s  "
          f"(new {counts['create']:,}, updated {counts['update']:,}, unchanged {counts['unchanged']:,}, "
          f"left {counts['leave']:,}, problems {counts['errors']})")
    assert outcome.applied, [problem.message for problem in outcome.plan.errors[:5]]
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    rows = parser.parse_args().rows

    test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = people_file(rows)
        print(f"{rows:,} rows, {len(data) / 1e6:.1f} MB, on {connection.vendor} ({test_database})")

        def run(content):
            now = timezone.now()
            return apply_import(read_people_file(content), full=True, today=now.date(), now=now)

        first = timed("first import (all new)", rows, lambda: run(data))
        timed("same file again (no change)", rows, lambda: run(data))
        changed = data.replace(b",Engineer 1,", b",Senior Engineer,")
        timed("a fifth of titles changed", rows, lambda: run(changed))
        print(f"people in the database: {Person.objects.count():,}")
        print(f"first import: {rows / first:,.0f} rows per second")
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)


if __name__ == "__main__":
    main()
