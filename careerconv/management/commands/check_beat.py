"""Beat's health check: beat records each run (careerconv.beat); a run older than --max-age means beat is stuck or
gone. Exit status 0 when alive, 1 otherwise."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from careerconv.heartbeat import last_beat_run


class Command(BaseCommand):
    help = "Exit with status 0 when Celery beat ran within --max-age seconds, 1 otherwise."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=120, help="seconds (default 120)")

    def handle(self, *args, max_age, **options):
        ran_at = last_beat_run()
        if ran_at is None or timezone.now() - ran_at > datetime.timedelta(seconds=max_age):
            raise CommandError(f"beat has not run in the last {max_age} s")
        self.stdout.write(f"beat ran {round((timezone.now() - ran_at).total_seconds())} s ago")
