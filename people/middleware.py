import zoneinfo

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import JsonResponse
from django.utils import timezone

from people import roles


class PersonTimezoneMiddleware:
    """Show every time in the viewer's own timezone; times are stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = roles.person_of(request.user)
        if person is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(person.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page but sign-in needs a session. A script that asks for JSON after the session has ended gets a 401
    it can explain, instead of the sign-in page in place of its answer."""

    def handle_no_permission(self, request, view_func):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"signed_in": False, "message": "Your session has ended: sign in again."},
                                status=401)
        return super().handle_no_permission(request, view_func)
