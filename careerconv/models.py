from django.db import models


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the beat's heartbeat task: the health page shows that the background
    machinery (beat → broker → worker → database) is alive."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S} UTC"



class BeatRun(models.Model):
    """When Celery beat last ran (one row per beat host): /healthz tells a stopped beat from a stopped worker,
    which the worker heartbeat alone cannot."""

    name = models.CharField(max_length=100, unique=True)
    ran_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.ran_at:%Y-%m-%d %H:%M:%S} UTC"
