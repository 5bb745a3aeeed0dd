"""/healthz: for the compose health check, the proxy and monitoring.

It answers whatever the Host header and the scheme (the middleware runs before SecurityMiddleware's redirect to
https and before CommonMiddleware's host check), and says nothing private: no host names, versions or error
messages, only whether each part works and when the background machinery last showed life.

200 when the database and the broker answer: this web process can serve. 503 when either does not: the container
is marked unhealthy and the proxy stops sending it requests. A stale worker heartbeat or beat run is reported but
does not fail the web process (restarting web would not help): the worker's own health check catches a dead
worker, and monitoring can alert on the ages given here.
"""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone

from .heartbeat import last_beat_run, last_heartbeat

PATH = "/healthz"


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def broker_ok():
    if not settings.REDIS_URL:
        return True  # the filesystem broker of the embedded default: files under var/, nothing to reach
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _moment(when, now):
    if when is None:
        return {"at": None, "age_seconds": None}
    return {"at": when.isoformat(), "age_seconds": round((now - when).total_seconds())}


@login_not_required
def health(request):
    now = timezone.now()
    database, broker = database_ok(), broker_ok()
    body = {
        "status": "ok" if database and broker else "unavailable",
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        # Read from the database: unknown while it is down.
        "worker_heartbeat": _moment(last_heartbeat(), now) if database else None,
        "beat_run": _moment(last_beat_run(), now) if database else None,
    }
    response = JsonResponse(body, status=200 if database and broker else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return health(request)
        return self.get_response(request)
