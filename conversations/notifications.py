"""In-app notifications: the copy of each reminder shown under the bell, read or unread."""

from django.utils.http import url_has_allowed_host_and_scheme

from conversations.models import Notification
from people.permissions import NotVisible

PAGE_SIZE = 20


def record_notifications(*, recipient, items):
    """One notification per reminder; a retried e-mail adds none (unique per reminder and recipient)."""
    Notification.objects.bulk_create(
        [Notification(recipient=recipient, reminder=item.reminder, title=item.title, body=item.body, url=item.path)
         for item in items],
        ignore_conflicts=True,
    )


def unread_count(person):
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notifications_of(person):
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-pk")


def open_notification(*, person, pk, now):
    """Mark one of the person's notifications read and return where it leads (404 for anyone else's)."""
    try:
        notification = Notification.objects.get(pk=pk, recipient=person)
    except Notification.DoesNotExist:
        raise NotVisible from None
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    # Only paths on this site: a stored address is never followed elsewhere.
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return notification.url
    return None


def mark_all_read(*, person, now):
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(read_at=now)
