"""In-app notifications: what the product tells a person under the bell (reminders, proposals, shared
preparations, handovers), read or unread. Every notification is made by `notify()`."""

from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme

from careerconv import statements
from conversations.models import Notification, Reminder
from conversations.notice_email import queue_notice_emails
from people.models import Person
from people.permissions import NotVisible

PAGE_SIZE = 20

# The keys of HR's bundled reminders about actions the organisation owns, due soon and overdue.
ORGANISATION_ACTION_KEYS = ("organisation:action_due", "organisation:action_overdue")


def action_key(action_id):
    return f"action:{action_id}"


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
    # What it is about ("action:12"): it replaces the recipient's earlier notification about the same thing.
    key: str = ""


def notify(*notices):
    """Put each notice under its recipient's bell. A reminder's copy is added once: a retried e-mail adds none
    (unique per reminder and recipient). A keyed notice replaces the earlier one about the same subject (an action
    now overdue rather than due), so the bell shows its subject once and as it stands. A notice to be e-mailed is
    saved owing its e-mail, which is sent once the change is committed (see notice_email)."""
    keyed = Q()
    emailed, quiet = [], []
    for notice in notices:
        if notice.key:
            keyed |= Q(recipient=notice.recipient, key=notice.key)
        (emailed if notice.email and notice.recipient.email else quiet).append(notice)
    with transaction.atomic():
        if keyed:
            # A retried e-mail's copy keeps its row: the reminder's own notification is not replaced by itself.
            reminders = [notice.reminder.pk for notice in notices if notice.reminder is not None]
            Notification.objects.filter(keyed).exclude(reminder_id__in=reminders).delete()
        Notification.objects.bulk_create([_notification(notice) for notice in quiet], ignore_conflicts=True)
        owed = [_owing_its_email(notice) for notice in emailed]
    owed = [notification.pk for notification in owed if notification is not None]
    if owed:
        transaction.on_commit(partial(queue_notice_emails, owed))


def _notification(notice, **fields):
    return Notification(recipient=notice.recipient, reminder=notice.reminder, title=notice.title, body=notice.body,
                        url=notice.url, key=notice.key, **fields)


def _owing_its_email(notice):
    """Saved one by one for their ids, which the e-mail task is given (bulk_create that ignores conflicts returns
    none). None when a concurrent change has just put the same subject under the bell: that one is e-mailed."""
    notification = _notification(notice, email_pending=True)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    return notification


def unread_count_sql(person):
    """The person's unread count as an SQL expression and its parameters: the bell on every page has it worked out
    with the navigation's roles, in one statement (people.roles.find_roles)."""
    return (f"(SELECT COUNT(*) FROM {statements.table(Notification)} WHERE recipient_id = %s AND read_at IS NULL)",
            [person.pk])


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


def restate_notification(*, recipient, key, title, body, url):
    """Bring the recipient's notification about `key` up to date in place (its subject changed, which is no news):
    it keeps its place in the list and whether it was read. Returns how many there were (0 or 1)."""
    return Notification.objects.filter(recipient=recipient, key=key).update(title=title, body=body, url=url)


def clear_notifications(*keys, recipients=None):
    """Take notifications about these subjects from under the bell: what they asked for has been done."""
    cleared = Notification.objects.filter(key__in=keys)
    if recipients is not None:
        cleared = cleared.filter(recipient__in=recipients)
    return cleared.delete()[0]
