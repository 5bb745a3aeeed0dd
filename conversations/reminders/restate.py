"""Reminders already under the bell, brought up to date when what they are about changes."""

from conversations.notifications import ORGANISATION_ACTION_KEYS, clear_notifications, restate_notification
from conversations.reminders.content import organisation_action_items
from people.models import Person


def restate_organisation_bundles(*, now, recipients=None):
    """HR's items "N organisation actions are overdue" and "... due soon" list the actions as they stand: after a
    change to one of them, or once one has moved from due soon to overdue, each HR person's items are restated in
    place, or cleared when none is left. New items come from the reminder sweep only, with their e-mail."""
    holders = Person.objects.filter(notifications__key__in=ORGANISATION_ACTION_KEYS)
    if recipients is not None:
        holders = holders.filter(pk__in=[recipient.pk for recipient in recipients])
    for recipient in holders.distinct().select_related("user"):
        for key, item in organisation_action_items(recipient=recipient, now=now).items():
            if item is None:
                clear_notifications(key, recipients=[recipient])
            else:
                restate_notification(recipient=recipient, key=key, title=item.title, body=item.body, url=item.path)
