"""Re-encrypt every private text with the first key of FIELD_ENCRYPTION_KEYS, so that the old keys can be dropped.

Put the new key first in FIELD_ENCRYPTION_KEYS, keeping the old ones after it, restart every process, then run
this. It works in batches, each in its own transaction, is safe while the app serves, and an interrupted run is
resumed by running it again: values already under the first key are skipped.
"""

from django.core.management.base import BaseCommand

from careerconv.encryption import rotate_all


class Command(BaseCommand):
    help = "Re-encrypt every private text with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size, **options):
        for label, count in rotate_all(batch_size=batch_size).items():
            self.stdout.write(f"{label}: {count} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS("Every private text is now encrypted with the first key."))
