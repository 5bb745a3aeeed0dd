"""Where reminders point: the pages that act on them, in one place."""

from django.conf import settings
from django.urls import reverse


def conversation_path(conversation_id):
    return reverse("conversations:detail", args=[conversation_id])


def notes_path(conversation_id):
    return reverse("conversations:notes", args=[conversation_id])


def commitments_path():
    return reverse("conversations:commitments")


def booking_path():
    return reverse("conversations:choose_partner")


def team_path():
    return reverse("conversations:team")


def propose_path(person_id):
    """Where a manager offers a report a time."""
    return reverse("conversations:propose", args=[person_id])


def preferences_path(person_id):
    """The profile page, where a person chooses which reminders they get."""
    return reverse("people:profile", args=[person_id])


def notifications_path():
    return reverse("conversations:notifications")


def absolute(path):
    """A path as a full address, for e-mails read outside the site."""
    return f"{settings.SITE_URL}{path}"
