"""Faults: Redis stopped during bookings, and Celery workers killed mid-send, against processes on 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careerconv python bench/faults.py [--part redis|worker|all]

Everything runs on a fresh database (the DATABASE_URL's name + "_faults"), a private redis-server on a port of its
own (the shared Redis is never touched) and an SMTP sink on 127.0.0.1 that records each message it accepts.

redis  — gunicorn, a worker and beat run on the private Redis. People book with Redis up, then Redis is stopped
         and more people book, and more people fall due for a reminder; then Redis comes back (empty, as after a
         crash). Checked: every booking made during the outage was saved and confirmed to the person; every
         invitation (two per booking: employee and partner) and every reminder e-mail arrives exactly once.
worker — hundreds of people are due a reminder; a worker is started and SIGKILLed at a random moment, many times,
         with the reminder sweep run between kills on a clock that moves past the stale-claim limit, so that
         claims left half-done are taken over. Then a worker runs to the end. Checked: no reminder lost; any
         e-mail sent twice is one whose worker died between the mail server's acceptance and marking the row.
         The width of that window is then measured directly, in this process: from the sink's acceptance of each
         message to the commit that marks its row sent.

Ends with one line of key=value figures; exits non-zero when a check fails. Stops by itself (--max-seconds).
"""

import argparse
import datetime
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    LOCAL,
    Process,
    SmtpSink,
    celery_worker,
    django_env,
    figures_line,
    free_port,
    fresh_database,
    gunicorn,
    percentile,
    redis_server,
    setup_django,
    wait_for,
)

PASSWORD = "faults-test-password-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SLOT_KEY = re.compile(r"\?start=(\d{4}-\d\d-\d\dT\d\d:\d\dZ)")
REMINDER_ID = re.compile(r"<reminders-(\d+)-")
UID = re.compile(r"^UID:(\S+)", re.M)


def private_redis_port():
    """6390 unless something listens there already."""
    import socket

    with socket.socket() as probe:
        if probe.connect_ex((LOCAL, 6390)) != 0:
            return 6390
    return free_port()


# --- The organisation -------------------------------------------------------------------------------------------


def make_people(*, managers, reports, overdue, prefix):
    """Managers (with Monday–Friday availability) and their reports, of whom `overdue` are past due a
    conversation. Returns (employees [(username, manager_pk)], overdue_people)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from conversations.models import AvailabilitySettings, AvailabilityWindow
    from people.models import Department, Person

    password = make_password(PASSWORD)
    department, _ = Department.objects.get_or_create(name="Engineering")
    today = datetime.datetime.now(datetime.UTC).date()
    long_ago = today - datetime.timedelta(days=200)
    employees, overdue_people = [], []
    for index in range(managers):
        name = f"{prefix}manager{index}"
        user = User.objects.create(username=name, first_name="Manager", last_name=f"{prefix}{index}",
                                   email=f"{name}@example.com", password=password)
        manager = Person.objects.create(user=user, department=department, timezone="UTC", start_date=long_ago,
                                        job_title="Engineering Manager")
        AvailabilitySettings.objects.create(person=manager, slot_minutes=30, weeks_ahead=4, min_notice_hours=1)
        AvailabilityWindow.objects.bulk_create([
            AvailabilityWindow(person=manager, weekday=day, start_time=datetime.time(0), end_time=datetime.time(23))
            for day in range(7)])
        for report in range(reports):
            name = f"{prefix}employee{index}_{report}"
            user = User.objects.create(username=name, first_name="Employee", last_name=f"{prefix}{index}-{report}",
                                       email=f"{name}@example.com", password=password)
            is_overdue = len(overdue_people) < overdue
            # Overdue people started long ago and never had a conversation; the others started this week.
            person = Person.objects.create(
                user=user, department=department, manager=manager, timezone="UTC", job_title="Engineer",
                start_date=long_ago if is_overdue else today, remind_overdue=is_overdue,
                remind_due_soon=False)
            if is_overdue:
                overdue_people.append(person)
            else:
                employees.append((name, manager.pk))
    return employees, overdue_people


class Browser:
    """A signed-in person, over HTTP."""

    def __init__(self, base, username):
        import requests

        self.base = base
        self.username = username
        self.session = requests.Session()

    def sign_in(self):
        page = self.session.get(self.base + "/accounts/login/", timeout=30)
        answer = self.session.post(self.base + "/accounts/login/", allow_redirects=False, timeout=30, data={
            "username": self.username, "password": PASSWORD,
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1)})
        assert answer.status_code == 302, f"{self.username} could not sign in"

    def book_with(self, manager_pk, rng):
        """Book one free time with the manager; returns (conversation id or None, confirmed, seconds)."""
        page = self.session.get(f"{self.base}/conversations/book/{manager_pk}/", timeout=30)
        keys = SLOT_KEY.findall(page.text)
        started = time.monotonic()
        answer = self.session.post(
            f"{self.base}/conversations/book/{manager_pk}/confirm/", timeout=60,
            headers={"X-CSRFToken": self.session.cookies.get("csrftoken", "")},
            data={"starts_at": rng.choice(keys), "kind": "standalone", "location": ""})
        seconds = time.monotonic() - started
        match = re.search(r"/conversations/(\d+)/booked/", answer.url)
        confirmed = answer.status_code == 200 and "is confirmed" in answer.text
        return (int(match.group(1)) if match else None), confirmed, seconds


# --- Redis stopped during bookings ------------------------------------------------------------------------------


def invitations_by_conversation(messages):
    """(calendar UID, recipient) → how many invitation e-mails the sink accepted."""
    counts = Counter()
    for message in messages:
        parsed = message_from_bytes(message.content)
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                uid = UID.search(part.get_payload(decode=True).decode())
                if uid:
                    counts[(uid.group(1), message.recipients[0])] += 1
                break
    return counts


def reminder_emails(messages):
    return Counter(int(match.group(1)) for message in messages
                   if (match := REMINDER_ID.search(message.message_id)))


def part_redis(args, *, database_url, work, sink, deadline):
    redis_port = private_redis_port()
    redis = redis_server(port=redis_port, log_dir=work)
    env = django_env(database_url=database_url, var_dir=work, redis_url=f"redis://{LOCAL}:{redis_port}/0",
                     email_url=sink.url, REMINDER_SENDING_HOURS="0-24", REMINDER_SWEEP_SECONDS="3",
                     CELERY_BROKER_CONNECTION_TIMEOUT="1", INVITATION_SWEEP_SECONDS="3",
                     INVITATION_GRACE_SECONDS="5")
    setup_django(env)
    from django.core.management import call_command
    from django.db import close_old_connections

    from conversations.models import Conversation, ReminderEmail

    call_command("migrate", verbosity=0)
    before_count = max(1, args.bookings // 2)
    employees, overdue_before = make_people(managers=4, reports=(before_count + args.bookings + 4 + 3) // 4,
                                            overdue=4, prefix="")
    close_old_connections()
    port = free_port()
    base = f"http://{LOCAL}:{port}"
    gunicorn(env, port=port, workers=3, log_dir=work)
    celery_worker(env, name="worker", log_dir=work, beat=True)
    rng = random.Random(7)
    browsers = [(Browser(base, username), manager_pk)
                for username, manager_pk in employees[:before_count + args.bookings]]
    for browser, _ in browsers:
        browser.sign_in()

    # With Redis up: bookings invite both people; reminders go out.
    before = [browser.book_with(manager_pk, rng) for browser, manager_pk in browsers[:before_count]]
    wait_for(lambda: len(invitations_by_conversation(sink.snapshot())) >= 2 * len(before), timeout=60,
             what="invitations with Redis up")

    # Redis stops: bookings go on, more people fall due.
    redis.kill()
    outage_started = time.monotonic()
    during = [browser.book_with(manager_pk, rng) for browser, manager_pk in browsers[before_count:]]
    _, overdue_during = make_people(managers=1, reports=4, overdue=4, prefix="late")
    outage_seconds = time.monotonic() - outage_started
    redis = redis_server(port=redis_port, log_dir=work)

    booked = [pk for pk, _, _ in before + during if pk]
    expected_invitations = 2 * len(booked)
    overdue_people = overdue_before + overdue_during

    def everything_arrived():
        messages = sink.snapshot()
        invited = invitations_by_conversation(messages)
        reminded = {message.recipients[0] for message in messages if REMINDER_ID.search(message.message_id)}
        return (len(invited) >= expected_invitations
                and all(person.user.email in reminded for person in overdue_people))

    try:
        wait_for(everything_arrived, timeout=max(10, deadline - time.monotonic() - 20),
                 what="invitations and reminders after Redis came back")
        recovered = True
    except TimeoutError:
        recovered = False
    recovery_seconds = time.monotonic() - outage_started - outage_seconds
    # Anything sent twice would arrive within a few sweeps of the first copy.
    time.sleep(8)
    Process.stop_all()

    messages = sink.snapshot()
    invited = invitations_by_conversation(messages)
    uids = {str(uid) + "@careerconv" for uid in Conversation.objects.filter(pk__in=booked).values_list("uid",
                                                                                                        flat=True)}
    reminders_sent = reminder_emails(messages)
    return {
        "outage_bookings": len(during),
        "outage_bookings_saved": sum(1 for pk, _, _ in during if pk and Conversation.objects.filter(pk=pk).exists()),
        "outage_bookings_confirmed": sum(1 for _, confirmed, _ in during if confirmed),
        "outage_booking_max_s": round(max(seconds for _, _, seconds in during), 2),
        "outage_s": round(outage_seconds, 1),
        "recovered": recovered,
        "recovery_s": round(recovery_seconds, 1),
        "invitations_expected": expected_invitations,
        "invitations_missing": expected_invitations - sum(1 for uid, _ in invited if uid in uids),
        "invitations_duplicated": sum(count - 1 for count in invited.values()),
        "reminder_emails": len(reminders_sent),
        "reminder_emails_duplicated": sum(count - 1 for count in reminders_sent.values()),
        "reminders_unsent": ReminderEmail.objects.exclude(status=ReminderEmail.Status.SENT).count(),
    }


# --- Workers killed mid-send ------------------------------------------------------------------------------------


def part_worker(args, *, database_url, work, sink, deadline):
    redis_port = private_redis_port()
    redis_server(port=redis_port, log_dir=work)
    env = django_env(database_url=database_url, var_dir=work, redis_url=f"redis://{LOCAL}:{redis_port}/0",
                     email_url=sink.url, REMINDER_SENDING_HOURS="0-24")
    setup_django(env)
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.utils import timezone

    from conversations.models import Reminder, ReminderEmail
    from conversations.reminders import sending
    from conversations.reminders.sweep import sweep
    from conversations.tasks import publish

    call_command("migrate", verbosity=0)
    make_people(managers=args.people // 20, reports=20, overdue=args.people, prefix="")
    close_old_connections()
    # A sweep's clock moves past the stale-claim limit each round, so that claims left by a killed worker are
    # taken over at once instead of after the real quarter of an hour.
    step = sending.STALE_CLAIM + datetime.timedelta(minutes=1)
    clock = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    rng = random.Random(11)
    kills = half_done = 0
    for _ in range(args.kills):
        if time.monotonic() > deadline - 120:
            break
        worker = celery_worker(env, name=f"worker{kills}", log_dir=work)
        sweep(now=clock, enqueue=publish)
        time.sleep(rng.uniform(1.5, 6.0))
        worker.kill()
        kills += 1
        half_done += ReminderEmail.objects.filter(status=ReminderEmail.Status.SENDING).exists()
        clock += step

    waiting = Reminder.objects.filter(status__in=[Reminder.Status.PENDING, Reminder.Status.SENDING])
    celery_worker(env, name="survivor", log_dir=work)
    while waiting.exists() and time.monotonic() < deadline - 60:
        sweep(now=clock, enqueue=publish)
        previous = -1
        while previous != len(sink.snapshot()) and time.monotonic() < deadline - 60:
            previous = len(sink.snapshot())
            time.sleep(3)
        clock += step
    Process.stop_all()

    sent_twice = reminder_emails(sink.snapshot())
    marked_sent = set(ReminderEmail.objects.filter(status=ReminderEmail.Status.SENT).values_list("pk", flat=True))
    figures = {
        "people_due": args.people,
        "kills": kills,
        "kills_mid_send": half_done,
        "reminders": Reminder.objects.count(),
        "reminders_lost": waiting.count() + Reminder.objects.filter(status=Reminder.Status.FAILED).count(),
        "emails_sent": ReminderEmail.objects.filter(status=ReminderEmail.Status.SENT).count(),
        "emails_accepted": len(sent_twice),
        "emails_duplicated": sum(count - 1 for count in sent_twice.values()),
        "emails_marked_sent_not_accepted": len(marked_sent - set(sent_twice)),
    }
    figures.update(measure_window(args, clock=clock + step, sink=sink))
    return figures


def measure_window(args, *, clock, sink):
    """Time from the mail server's acceptance of a reminder e-mail to the commit that marks it sent, for e-mails
    sent in this process: the only moment at which a worker's death sends an e-mail twice."""
    from conversations.reminders import sending
    from conversations.reminders.sweep import sweep

    make_people(managers=max(1, args.window_samples // 20), reports=20, overdue=args.window_samples,
                prefix="window")
    marked = {}
    finish = sending._finish

    def timed_finish(email, **kwargs):
        result = finish(email, **kwargs)
        marked[email.pk] = time.time()  # autocommit: the UPDATE is committed when it returns
        return result

    def deliver_here(deliveries, retries, *, now):
        for chunk in deliveries:
            sending.deliver(recipient_ids=chunk, now=now)

    sending._finish = timed_finish
    try:
        sweep(now=clock, enqueue=deliver_here)
    finally:
        sending._finish = finish
    accepted = {int(match.group(1)): message.at for message in sink.snapshot()
                if (match := REMINDER_ID.search(message.message_id))}
    windows = [marked[pk] - accepted[pk] for pk in marked if pk in accepted]
    return {
        "window_samples": len(windows),
        "window_p50_ms": round(percentile(windows, 0.5) * 1000, 2),
        "window_p99_ms": round(percentile(windows, 0.99) * 1000, 2),
        "window_max_ms": round(max(windows, default=0) * 1000, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["redis", "worker", "all"], default="all")
    parser.add_argument("--bookings", type=int, default=12, help="bookings during the outage (half as many before)")
    parser.add_argument("--people", type=int, default=400, help="people due a reminder when workers are killed")
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--window-samples", type=int, default=200)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    # A hard stop: whatever happens, the processes are ended and the script exits.
    signal.signal(signal.SIGALRM, lambda *_: (Process.stop_all(), os._exit(3)))
    signal.alarm(args.max_seconds)
    deadline = time.monotonic() + args.max_seconds

    if args.part == "all":
        # Each part configures Django for its own database: each runs in a process of its own.
        figures, codes = {}, []
        for part in ("redis", "worker"):
            remaining = max(60, int(deadline - time.monotonic()) // (2 if part == "redis" else 1))
            result = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--part", part,
                                     "--max-seconds", str(remaining)], capture_output=True, text=True)
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr[-4000:])
            codes.append(result.returncode)
            last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
            figures.update(pair.split("=", 1) for pair in last.split() if "=" in pair)
        signal.alarm(0)
        figures.pop("ok", None)
        print(figures_line({**figures, "ok": not any(codes)}))
        return 1 if any(codes) else 0

    work = Path(tempfile.mkdtemp(prefix=f"careerconv-faults-{args.part}-"))
    sink = SmtpSink(port=free_port(), delay=0.02 if args.part == "worker" else 0.0).start()
    database_url = fresh_database(args.database_url, f"faults_{args.part}")
    run = part_redis if args.part == "redis" else part_worker
    try:
        figures = run(args, database_url=database_url, work=work, sink=sink, deadline=deadline)
    finally:
        Process.stop_all()
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)
    signal.alarm(0)

    failed = []
    if "outage_bookings" in figures:
        if figures["outage_bookings_saved"] != figures["outage_bookings"] or \
                figures["outage_bookings_confirmed"] != figures["outage_bookings"]:
            failed.append("a booking made while Redis was down was not saved and confirmed")
        if figures["invitations_missing"] or figures["invitations_duplicated"]:
            failed.append("invitations did not go out exactly once after Redis came back")
        if figures["reminder_emails_duplicated"] or figures["reminders_unsent"] or not figures["recovered"]:
            failed.append("reminders did not go out exactly once after Redis came back")
    if "kills" in figures:
        if figures["reminders_lost"] or figures["emails_marked_sent_not_accepted"]:
            failed.append("reminders were lost")
        if figures["emails_duplicated"] > figures["kills_mid_send"]:
            failed.append("more e-mails were sent twice than workers died mid-send")
    for reason in failed:
        print("FAILED:", reason)
    print(figures_line({**figures, "ok": not failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
