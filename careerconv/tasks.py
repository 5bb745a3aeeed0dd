from celery import shared_task
from django.utils import timezone

from careerconv.heartbeat import record_heartbeat


@shared_task(bind=True, name="careerconv.heartbeat")
def heartbeat(self):
    record_heartbeat(worker=self.request.hostname or "inline", now=timezone.now())
