"""Load: concurrent people reading pages and booking, against gunicorn on 127.0.0.1 and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careerconv python bench/load.py [--users 50] [--seconds 60]

1. Creates a fresh database (the DATABASE_URL's name + "_load"), migrates it and builds an organisation: managers
   with ten reports each, Monday to Friday availability, one signed-in employee per simulated user.
2. Serves it with gunicorn on a free port of 127.0.0.1.
3. Measures, with wrk, the requests per second of the booking page (a manager's free times), first without and
   then with BUSY_INTERVALS busy times from a connected calendar, and of a bare Django page behind the same
   middleware; the ratios are what the booking page costs. With busy times, the two pages are measured in turns
   (--rounds), and the median round's ratio is the one given (every round's in `ratios`).
4. Runs the users for --seconds: each reads the home page, its conversations and its manager's free times, books
   one of the first free times (so that people collide on the same slot), and now and then cancels a booking.
5. Counts server errors, and double bookings in the database (two active conversations of one person that overlap).

Ends with one line of key=value figures. Stops by itself: every phase has a deadline.
"""

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    LOCAL,
    Process,
    django_env,
    figures_line,
    free_port,
    fresh_database,
    gunicorn,
    percentile,
    setup_django,
    wrk,
)

PASSWORD = "load-test-password-2026"
REPORTS_PER_MANAGER = 10
SLOT_KEY = re.compile(r"\?start=(\d{4}-\d\d-\d\dT\d\d:\d\dZ)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def build_organisation(users):
    """Managers with ten reports each; returns [(username, manager_pk)] of the employees."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from conversations.models import AvailabilitySettings, AvailabilityWindow
    from people.models import Department, Person

    password = make_password(PASSWORD)
    department = Department.objects.create(name="Engineering")
    employees = []
    for index in range((users + REPORTS_PER_MANAGER - 1) // REPORTS_PER_MANAGER):
        user = User.objects.create(username=f"manager{index}", first_name="Manager", last_name=str(index),
                                   email=f"manager{index}@example.com", password=password)
        manager = Person.objects.create(user=user, department=department, job_title="Engineering Manager",
                                        timezone="Europe/London", start_date=datetime.date(2024, 1, 8))
        AvailabilitySettings.objects.create(person=manager, slot_minutes=30, weeks_ahead=4, min_notice_hours=1)
        AvailabilityWindow.objects.bulk_create([
            AvailabilityWindow(person=manager, weekday=day, start_time=datetime.time(9),
                               end_time=datetime.time(17)) for day in range(5)])
        for report in range(REPORTS_PER_MANAGER):
            if len(employees) == users:
                break
            username = f"employee{index}_{report}"
            user = User.objects.create(username=username, first_name="Employee", last_name=f"{index}-{report}",
                                       email=f"{username}@example.com", password=password)
            Person.objects.create(user=user, department=department, manager=manager, job_title="Engineer",
                                  timezone="Europe/London", start_date=datetime.date(2024, 1, 8))
            employees.append((username, manager.pk))
    return employees


BUSY_INTERVALS = 2000


def add_busy_times(manager_pk):
    """A connected calendar for one manager with BUSY_INTERVALS short busy times over the booking horizon: mostly
    out of hours, and one at 12:00 each working day, so that free times remain. Read "just now", so that no page
    asks for a background read."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from conversations.models import BusyInterval, CalendarConnection

    now = timezone.now()
    intervals, start = [], now.replace(minute=0, second=0, microsecond=0)
    while len(intervals) < BUSY_INTERVALS:
        start += datetime.timedelta(minutes=20)
        working = start.weekday() < 5 and 9 <= start.hour < 17
        if not working or (start.hour == 12 and start.minute == 0):
            intervals.append((start, start + datetime.timedelta(minutes=10)))
    # Stored as a read stores them: in one transaction, under the connection's first busy version.
    with transaction.atomic():
        connection = CalendarConnection.objects.create(
            person_id=manager_pk, kind="subscription", label="calendar.example.com",
            address="https://calendar.example.com/secret.ics", created_at=now,
            last_attempt_at=now + datetime.timedelta(days=1), last_success_at=now, busy_version=1)
        BusyInterval.objects.bulk_create([
            BusyInterval(connection=connection, person_id=manager_pk, starts_at=start, ends_at=end)
            for start, end in intervals])


class User:
    """One simulated person: a requests session signed in, and what it saw."""

    def __init__(self, base, username, manager_pk):
        import requests

        self.base = base
        self.session = requests.Session()
        self.username = username
        self.manager_pk = manager_pk
        self.statuses = Counter()
        self.latencies = []
        self.booked = []
        self.outcomes = Counter()

    def request(self, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        except Exception as error:  # a refused or dropped connection counts as a server failure
            self.statuses[f"error:{error.__class__.__name__}"] += 1
            return None
        self.latencies.append(time.monotonic() - started)
        self.statuses[response.status_code] += 1
        return response

    def sign_in(self):
        page = self.request("GET", "/accounts/login/")
        token = CSRF.search(page.text).group(1)
        answer = self.request("POST", "/accounts/login/", data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        if answer is None or answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in")

    @property
    def csrf(self):
        return {"X-CSRFToken": self.session.cookies.get("csrftoken", "")}

    def step(self, rng):
        self.request("GET", "/")
        self.request("GET", "/conversations/")
        page = self.request("GET", f"/conversations/book/{self.manager_pk}/")
        keys = SLOT_KEY.findall(page.text) if page is not None and page.status_code == 200 else []
        if keys:
            # The first few free times, so that colleagues of one manager collide on the same slot.
            key = rng.choice(keys[:6])
            answer = self.request("POST", f"/conversations/book/{self.manager_pk}/confirm/", headers=self.csrf,
                                  data={"starts_at": key, "kind": "standalone", "location": ""})
            if answer is not None and answer.status_code == 302:
                match = re.search(r"/conversations/(\d+)/booked/", answer.headers.get("Location", ""))
                if match:
                    self.outcomes["booked"] += 1
                    self.booked.append(int(match.group(1)))
                else:
                    self.outcomes["refused"] += 1
        if self.booked and rng.random() < 0.3:
            pk = self.booked.pop(rng.randrange(len(self.booked)))
            answer = self.request("POST", f"/conversations/{pk}/cancel/", headers=self.csrf,
                                  data={"reason": "Load test: freeing the slot"})
            if answer is not None and answer.status_code == 302:
                self.outcomes["cancelled"] += 1


def run_users(users, *, seconds):
    deadline = time.monotonic() + seconds
    failures = []

    def loop(user, seed):
        rng = random.Random(seed)
        try:
            while time.monotonic() < deadline:
                user.step(rng)
        except Exception as error:
            failures.append(f"{user.username}: {error!r}")

    threads = [threading.Thread(target=loop, args=(user, index), daemon=True) for index, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return failures


DOUBLE_BOOKINGS = """
    SELECT count(*) FROM conversations_conversation a
    JOIN conversations_conversation b ON a.id < b.id
        AND (a.partner_id = b.partner_id OR a.employee_id = b.employee_id
             OR a.partner_id = b.employee_id OR a.employee_id = b.partner_id)
        AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
    WHERE a.status IN ('requested', 'confirmed') AND b.status IN ('requested', 'confirmed')
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7, help="turns of the booking page and the bare one")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="careerconv-load-"))
    database_url = fresh_database(args.database_url, "load")
    env = django_env(database_url=database_url, var_dir=work, EMAIL_URL="dummymail://")
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    employees = build_organisation(args.users)
    connection.close()

    port = free_port()
    base = f"http://{LOCAL}:{port}"
    try:
        gunicorn(env, port=port, workers=args.workers, log_dir=work)
        users = [User(base, username, manager_pk) for username, manager_pk in employees]
        for user in users:
            user.sign_in()

        probe = users[0]
        cookie = "; ".join(f"{name}={value}" for name, value in probe.session.cookies.items())
        booking_page = f"{base}/conversations/book/{probe.manager_pk}/"
        assert probe.request("GET", booking_page.removeprefix(base)).status_code == 200, "booking page not served"
        plain_rps, plain_bad, _ = wrk(booking_page, cookie=cookie, seconds=args.wrk_seconds,
                                      connections=args.users)
        add_busy_times(probe.manager_pk)
        connection.close()
        # The booking page and the bare one in turns, a ratio per round: on a shared machine the load changes
        # from one measurement to the next, and a page measured right after the other sees the same machine.
        rounds, bad = [], 0
        for _ in range(args.rounds):
            booking_rps, booking_bad, _ = wrk(booking_page, cookie=cookie, seconds=args.wrk_seconds,
                                              connections=args.users)
            bare_rps, bare_bad, _ = wrk(f"{base}/bench/bare/", cookie=cookie, seconds=args.wrk_seconds,
                                        connections=args.users)
            rounds.append((booking_rps / bare_rps, booking_rps, bare_rps))
            bad += booking_bad + bare_bad
        ratio, booking_rps, bare_rps = sorted(rounds)[len(rounds) // 2]

        for user in users:
            user.statuses.clear()
            user.latencies.clear()
        started = time.monotonic()
        failures = run_users(users, seconds=args.seconds)
        elapsed = time.monotonic() - started
    finally:
        Process.stop_all()

    statuses = sum((user.statuses for user in users), Counter())
    outcomes = sum((user.outcomes for user in users), Counter())
    latencies = [latency for user in users for latency in user.latencies]
    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_BOOKINGS)
        double_bookings = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM conversations_conversation WHERE status IN ('requested', 'confirmed')")
        active = cursor.fetchone()[0]
    server_errors = sum(count for status, count in statuses.items()
                        if str(status).startswith("error") or (isinstance(status, int) and status >= 500))
    for failure in failures:
        print("user stopped:", failure)
    print("statuses:", dict(sorted(statuses.items(), key=lambda item: str(item[0]))))
    shutil.rmtree(work, ignore_errors=True)
    print(figures_line({
        "users": args.users, "seconds": round(elapsed, 1), "requests": sum(statuses.values()),
        "rps": round(sum(statuses.values()) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000), "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "server_errors": server_errors + plain_bad + bad, "booked": outcomes["booked"],
        "refused_taken": outcomes["refused"], "cancelled": outcomes["cancelled"], "active_conversations": active,
        "double_bookings": double_bookings, "booking_page_rps": round(booking_rps, 1),
        "bare_page_rps": round(bare_rps, 1), "ratio_without_busy": round(plain_rps / bare_rps, 3),
        "ratio": round(ratio, 3), "ratios": "/".join(f"{r:.3f}" for r, _, _ in rounds),
        "busy_intervals": BUSY_INTERVALS,
        "stopped_users": len(failures),
    }))
    return 1 if server_errors or double_bookings or failures else 0


if __name__ == "__main__":
    sys.exit(main())
