from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse

from careerconv.heartbeat import last_heartbeat


@login_not_required
def health(request):
    """For load balancers and the compose health check: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat_at = last_heartbeat()
    return JsonResponse({"status": "ok", "worker_heartbeat": beat_at.isoformat() if beat_at else None})
