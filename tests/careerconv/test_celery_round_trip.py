"""The app's Celery configuration works end to end: a task published by the app reaches a real worker through
the real broker and writes to the database."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from careerconv.models import WorkerHeartbeat
from careerconv.tasks import heartbeat
from tests.support.waiting import wait_until

pytestmark = pytest.mark.redis


def test_the_broker_is_redis_when_redis_url_is_set():
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_a_task_goes_through_redis_to_a_real_worker_and_back_to_the_database(celery_live_worker):
    before = timezone.now()
    heartbeat.delay()

    beat = wait_until(lambda: WorkerHeartbeat.objects.first(), timeout=30)

    assert beat.beat_at >= before - datetime.timedelta(seconds=1)
    # Recorded by that worker (its node name ends with the host name), not run inline.
    assert beat.name != "inline" and celery_live_worker.hostname.endswith(beat.name)
