"""A request id on every request: taken from the proxy's X-Request-ID when it looks like one, made up otherwise;
sent back in the response's X-Request-ID and written on every log line of that request, so that a line in the
proxy's log, an error report and the application's log lines can be matched."""

import contextvars
import logging
import re
import time
import uuid

HEADER = "X-Request-ID"
# Anything else (too long, spaces, control characters) is replaced: the value goes into logs as it is.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,128}")
_current = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("careerconv.requests")


def current_request_id():
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Gives each log record the id of the request being served ("-" outside a request: worker, beat, commands)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            # The path without its query string: searches carry names, and names do not belong in logs.
            access_log.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"method": request.method, "path": request.path, "status": response.status_code,
                                   "duration_ms": round((time.monotonic() - started) * 1000, 1)})
            return response
        finally:
            _current.reset(token)
