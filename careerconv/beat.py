"""Celery beat's scheduler: Celery's own (the schedule in a local file), recording each run in the database so
that /healthz and beat's health check can tell that beat is alive."""

import logging
import socket

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)


class RecordingScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        self.record_run()
        return interval

    def record_run(self):
        # Imported here: beat loads its scheduler before Django's apps are ready.
        import django
        from django.apps import apps
        from django.db import DatabaseError
        from django.utils import timezone

        if not apps.ready:
            django.setup()
        from .heartbeat import record_beat_run

        try:
            record_beat_run(scheduler=socket.gethostname(), now=timezone.now())
        except DatabaseError:
            # A database outage must not stop beat: the sweeps it schedules catch up once the database is back.
            log.warning("beat run not recorded: the database is unavailable")
