"""Encryption at rest: what it costs the notes page and the personal-data download.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careerconv_bench_encryption python bench/encryption.py

Seeds the demo organisation into the (throwaway) database, times the notes page of a held conversation (as its
partner) and the employee's personal-data download, with the texts encrypted; then decrypts every row in place
and switches the field's encryption off in this process, and times the same again with plain text. Prints the
medians and the ratio (target: 1.2 or less) in key=value lines.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerconv.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from careerconv import encryption  # noqa: E402
from conversations.models import Notes  # noqa: E402


def timed(client, url, runs):
    client.get(url)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code} {response.get('Location', '')}")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(notes, runs):
    partner, employee = Client(), Client()
    partner.force_login(notes.conversation.partner.user)
    employee.force_login(notes.conversation.employee.user)
    return (timed(partner, reverse("conversations:notes", args=[notes.conversation_id]), runs),
            timed(employee, reverse("conversations:personal_data_download"), runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://… to a database of its own: its rows are rewritten.")
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", people=options.people, quiet=True)
    seed_s = time.monotonic() - started
    settings.DEBUG = False
    notes = (Notes.objects.filter(visibility=Notes.Visibility.SHARED, conversation__employee__user__is_active=True,
                                  conversation__partner__user__is_active=True)
             .select_related("conversation").first())

    encrypted = measure(notes, options.runs)
    for model in apps.get_models():
        if encryption.encrypted_columns(model):
            encryption.rewrite_rows(connection, model, encryption.decrypt)
    encryption.encrypt = encryption.decrypt = lambda text: text
    plain = measure(notes, options.runs)

    print(f"people={options.people} runs={options.runs} seed_demo_s={seed_s:.1f}")
    print(f"notes_page_encrypted_ms={encrypted[0]:.1f} notes_page_plain_ms={plain[0]:.1f} "
          f"notes_page_ratio={encrypted[0] / plain[0]:.2f}")
    print(f"export_encrypted_ms={encrypted[1]:.1f} export_plain_ms={plain[1]:.1f} "
          f"export_ratio={encrypted[1] / plain[1]:.2f}")


if __name__ == "__main__":
    main()
