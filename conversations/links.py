"""Where reminders point. The pages they open are built alongside this module; their paths are written out here,
in one place, so that they can become reverse() calls once every page is routed."""

from django.conf import settings
from django.urls import reverse


def conversation_path(conversation_id):
    return f"/conversations/{conversation_id}/"


def notes_path(conversation_id):
    return f"/conversations/{conversation_id}/notes/"


def commitments_path():
    return "/conversations/commitments/"


def booking_path():
    return "/conversations/book/"


def team_path():
    return "/people/team/"


def notifications_path():
    return reverse("conversations:notifications")


def absolute(path):
    """A path as a full address, for e-mails read outside the site."""
    return f"{settings.SITE_URL}{path}"
