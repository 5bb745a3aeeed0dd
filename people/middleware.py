import zoneinfo

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import Http404, JsonResponse
from django.utils import timezone

from people import roles
from people.permissions import NotVisible


class PersonMiddleware:
    """Put the signed-in person on the request once (`request.person`: None for the anonymous and for an account
    without a person), show every time in their own timezone (times are stored in UTC), and answer what the
    permission layer says a user may not see with the ordinary 404 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.person = person = roles.person_of(request.user)
        if person is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(person.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotVisible):
            # Raised as Http404, it gets Django's own answer: handler404's page, or the debug page in development.
            raise Http404(str(exception)) from exception
        return None


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page but sign-in needs a session. A script that asks for JSON after the session has ended gets a 401
    it can explain, instead of the sign-in page in place of its answer."""

    def handle_no_permission(self, request, view_func):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"signed_in": False, "message": "Your session has ended: sign in again."},
                                status=401)
        return super().handle_no_permission(request, view_func)
