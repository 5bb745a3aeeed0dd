"""In-app notifications: what the product tells a person under the bell (reminders, proposals, shared
preparations, handovers), read or unread. Every notification is made by `notify()`."""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme

from conversations.models import Notification, Reminder
from conversations.notice_email import queue_notice_email
from people.models import Person
from people.permissions import NotVisible

PAGE_SIZE = 20


@dataclass(frozen=True)
class Notice:
    recipient: Person
    title: str
    body: str = ""
    url: str = ""
    # Set for the in-app copy of a reminder's e-mail.
    reminder: Reminder | None = None
    # Also e-mailed, once the change that caused it is committed.
    email: bool = False


def notify(*notices):
    """Put each notice under its recipient's bell, all in one statement. A reminder's copy is added once: a retried
    e-mail adds none (unique per reminder and recipient)."""
    Notification.objects.bulk_create(
        [Notification(recipient=notice.recipient, reminder=notice.reminder, title=notice.title, body=notice.body,
                      url=notice.url)
         for notice in notices],
        ignore_conflicts=True,
    )
    for notice in notices:
        if notice.email and notice.recipient.email:
            transaction.on_commit(partial(queue_notice_email, recipient_id=notice.recipient.pk, title=notice.title,
                                          body=notice.body, url=notice.url))


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
