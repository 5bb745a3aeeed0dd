"""Run one reminder sweep by hand and print what it decided."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models.fields import DateTimeField
from django.utils import timezone

from conversations.models import Reminder
from conversations.reminders.sweep import preview, sweep
from conversations.tasks import publish
from people.models import Person

LISTED = 200


def parse_now(value):
    if value is None:
        return timezone.now()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now {value!r} is not an ISO-8601 time, e.g. 2026-03-02T09:00:00+00:00.") from error
    if timezone.is_naive(moment):
        raise CommandError(f"--now {value!r} needs a UTC offset, e.g. 2026-03-02T09:00:00+00:00.")
    return moment


class Command(BaseCommand):
    help = "Run one reminder sweep (as Celery beat does) and print what it decided."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="The instant to sweep at, ISO-8601 with offset (default: now).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Print what would be recorded and sent; record and send nothing.")

    def handle(self, *args, now=None, dry_run=False, **options):
        at = parse_now(now)
        self.stdout.write(f"Reminder sweep at {at.isoformat()}{' (dry run)' if dry_run else ''}")
        if dry_run:
            self._preview(at)
        else:
            self._sweep(at)

    def _names(self, ids):
        return {person.pk: person.name for person in Person.objects.filter(pk__in=ids).select_related("user")}

    def _preview(self, at):
        ctx, decisions = preview(now=at)
        names = self._names({decision.recipient_id for decision in decisions})
        labels = dict(Reminder.Kind.choices)
        new = [decision for decision in decisions if decision.status is None]
        for decision in new[:LISTED]:
            not_before = DateTimeField().to_python(decision.not_before)
            if timezone.is_naive(not_before):
                not_before = timezone.make_aware(not_before, datetime.UTC)
            when = "now" if not_before <= at else f"from {not_before:%Y-%m-%d %H:%M} UTC (their sending window)"
            self.stdout.write(f"  would record: {labels[decision.kind]} → {names.get(decision.recipient_id)} "
                              f"[{decision.subject}, {decision.period}], sent {when}")
        if len(new) > LISTED:
            self.stdout.write(f"  … and {len(new) - LISTED} more")
        self.stdout.write(f"Due now: {len(decisions)} reminders; {len(new)} new, "
                          f"{len(decisions) - len(new)} recorded already.")

    def _sweep(self, at):
        result = sweep(now=at, enqueue=publish)
        recorded = (Reminder.objects.filter(pk__in=result.recorded_ids[:LISTED]).select_related("recipient__user")
                    .order_by("recipient_id", "kind"))
        for reminder in recorded:
            self.stdout.write(f"  recorded: {reminder.get_kind_display()} → {reminder.recipient.name} "
                              f"[{reminder.subject}, {reminder.period}]")
        if len(result.recorded_ids) > LISTED:
            self.stdout.write(f"  … and {len(result.recorded_ids) - LISTED} more")
        self.stdout.write(f"Recorded {len(result.recorded_ids)} new reminders; {result.dispatch}.")
        if result.dispatch.error:
            raise CommandError(f"The broker did not take the work: {result.dispatch.error}. "
                               "Nothing is lost: the next sweep hands it over.")
