"""The background machinery's pulse: beat schedules it, a worker records it, /healthz reports its age."""

from careerconv.models import WorkerHeartbeat


def record_heartbeat(*, worker, now):
    WorkerHeartbeat.objects.update_or_create(name=worker, defaults={"beat_at": now})


def last_heartbeat():
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
