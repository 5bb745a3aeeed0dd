import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations.calendar import resend_invitations


class Command(BaseCommand):
    help = ("E-mail the current calendar invitation of every conversation booked, moved or cancelled since a time, "
            "to both participants. For catching up after the task broker was down.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="ISO date-time (UTC unless it names an offset); default: 24 hours ago.")

    def handle(self, *args, since=None, **options):
        now = timezone.now()
        if since:
            parsed = parse_datetime(since)
            if parsed is None:
                raise CommandError(f"--since {since!r} is not a date-time such as 2026-03-02T08:00")
            since = parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)
        else:
            since = now - datetime.timedelta(hours=24)
        sent, failed = resend_invitations(since=since, now=now)
        self.stdout.write(f"{sent} invitation e-mails sent, {failed} conversations failed.")
        if failed:
            raise CommandError(f"{failed} conversations could not be sent; see the log.")
