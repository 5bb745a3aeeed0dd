"""The one answer autosave gets, for notes and preparation alike (static/js/autosave.js reads it).

200 {"saved": true, "message"}: saved, the message says when, in the viewer's timezone.
400 {"saved": false, "message", "errors": {field id: text}}: nothing saved; each text belongs under its field,
    keyed by the id of the field's element ("__all__" for what belongs to no field).
409 {"saved": false, "locked": true, "message"}: the text can no longer change, and why.
401 (people.middleware.SignInRequiredMiddleware): the session has ended.
"""

from django.http import JsonResponse
from django.utils import dateformat, timezone


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def saved(*, now, what="Saved"):
    return JsonResponse({"saved": True, "message": f"{what} at {dateformat.format(timezone.localtime(now), 'H:i')}."})


def invalid(form):
    errors = {(form[name].auto_id if name in form.fields else name): " ".join(messages)
              for name, messages in form.errors.items()}
    return JsonResponse({"saved": False, "message": "Not saved: see the message under the field.",
                         "errors": errors}, status=400)


def locked(message):
    return JsonResponse({"saved": False, "locked": True, "message": message}, status=409)
