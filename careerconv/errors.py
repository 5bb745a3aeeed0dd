"""Error reporting to Sentry, started by the settings only when SENTRY_DSN is set.

Reports carry the exception, its stack (without local variables) and the request's method, URL path and headers
that name no one; never a request body, cookies, query string or user: what people write in preparation and notes
must not leave the organisation's servers through an error report.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

# Headers that may identify a person or a session.
_PRIVATE_HEADERS = {"cookie", "authorization", "x-csrftoken", "referer", "x-forwarded-for", "x-real-ip"}


def scrub(event, hint=None):
    """before_send: drop the parts of an event that may hold what people wrote or who they are."""
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("headers"), dict):
            request["headers"] = {name: value for name, value in request["headers"].items()
                                  if name.lower() not in _PRIVATE_HEADERS}
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return event


def start_error_reporting(*, dsn, environment):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub,
    )
