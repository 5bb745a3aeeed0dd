"""The background machinery's pulse: beat records each of its runs and schedules the heartbeat task, a worker
records running it, /healthz reports both ages."""

from careerconv.models import BeatRun, WorkerHeartbeat


def record_heartbeat(*, worker, now):
    WorkerHeartbeat.objects.update_or_create(name=worker, defaults={"beat_at": now})


def last_heartbeat():
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def record_beat_run(*, scheduler, now):
    BeatRun.objects.update_or_create(name=scheduler, defaults={"ran_at": now})


def last_beat_run():
    return BeatRun.objects.order_by("-ran_at").values_list("ran_at", flat=True).first()
