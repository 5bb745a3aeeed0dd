from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from people import importing, tasks


class Command(BaseCommand):
    help = (
        "Import people from an HR system's CSV export: create, update and (with a full file) mark as left. "
        "Every problem is listed by line and column; with any problem nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, comma or semicolon separated).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument("--partial", action="store_true",
                            help="The file lists only some people: mark nobody as having left.")
        parser.add_argument("--no-invite", action="store_true", help="Do not e-mail invitations to new people.")

    def handle(self, *args, file, dry_run, partial, no_invite, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        now = timezone.now()
        people_file = importing.read_people_file(data)
        if dry_run:
            plan = importing.plan_import(people_file, full=not partial, today=timezone.localdate(now))
            applied = False
        else:
            outcome = importing.apply_import(
                people_file, full=not partial, today=timezone.localdate(now), now=now,
                progress=lambda stage, done, total: self.stderr.write(f"{stage}: {done} of {total}"),
            )
            plan, applied = outcome.plan, outcome.applied
            if applied and not no_invite and outcome.created_person_ids:
                tasks.invite_later(person_ids=outcome.created_person_ids)

        for problem in sorted(plan.problems, key=lambda problem: problem.line):
            where = f"line {problem.line}" + (f", column {problem.column}" if problem.column else "")
            kind = "problem" if problem.blocking else "note"
            self.stdout.write(f"{where}: {kind}: {problem.message}")
        counts = plan.counts()
        verb = "Imported" if applied else "Would import" if not plan.errors else "Not imported"
        self.stdout.write(
            f"{verb}: {counts['create']} new, {counts['update']} updated, {counts['leave']} marked as left, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped; {counts['departments']} new departments."
        )
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} problems: nothing was written. Fix the file and run again.")
