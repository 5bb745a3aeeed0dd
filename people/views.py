from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from careerconv.heartbeat import last_heartbeat

from . import roles
from .overview import overview_for


def home(request):
    person = roles.person_of(request.user)
    context = {"overview": overview_for(person, now=timezone.now()) if person else None}
    return render(request, "people/home.html", context)


@login_not_required
def health(request):
    """For load balancers and the compose health check: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat_at = last_heartbeat()
    return JsonResponse({"status": "ok", "worker_heartbeat": beat_at.isoformat() if beat_at else None})
