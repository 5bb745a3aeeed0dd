import zoneinfo

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
