"""Work out every kept view of the participation dashboard again, as the minute-by-minute keeping does for the views
that are out of date."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from conversations.models import ParticipationSnapshot
from conversations.participation.kept import keep_participation


def parse_day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since {value!r} is not a date such as 2026-01-31.") from error


class Command(BaseCommand):
    help = "Work out again every view of the participation dashboard that is kept (all presets, all departments)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=parse_day,
                            help="Only the views whose period ends on or after this date (YYYY-MM-DD).")

    def handle(self, *args, since=None, **options):
        started = time.perf_counter()
        kept = keep_participation(now=timezone.now(), everything=True, since=since)
        if kept is None:
            raise CommandError("The figures are being worked out by another run; try again when it has finished.")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Worked out {kept} view{'s' if kept != 1 else ''} of the participation dashboard in "
                          f"{seconds:.1f} s; {ParticipationSnapshot.objects.count()} are kept.")
