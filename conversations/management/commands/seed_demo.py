import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from conversations.demo import DEFAULT_SIZE, DEMO_PASSWORD, SIGN_IN, build_demo_organisation


class Command(BaseCommand):
    help = "Build the demo organisation (idempotent: only what is missing is added) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=DEFAULT_SIZE,
                            help=f"How many people (default {DEFAULT_SIZE}; at least 20).")
        parser.add_argument("--conversations", type=int, default=None,
                            help="Roughly how many conversations of history to write (default: about four a "
                                 "year per person, by each team's habits).")
        parser.add_argument("--quiet", action="store_true", help="Print only the summary line.")

    def handle(self, *args, people, conversations, quiet, **options):
        if people < 20:
            raise CommandError("--people must be at least 20 (a CEO, six departments and their teams).")
        started = time.monotonic()
        result = build_demo_organisation(size=people, now=timezone.now(), conversations=conversations)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"demo organisation: {result.created} people created, {result.existing} already there, "
            f"{result.conversations} conversations written in {elapsed:.1f} s"
        )
        if quiet:
            return
        self.stdout.write("\nSign in at /accounts/login/ with one of these names and the password "
                          f"{DEMO_PASSWORD!r}:")
        for username, role in SIGN_IN:
            self.stdout.write(f"  {username:<16} {role}")
