from django.utils.functional import cached_property

from conversations.notifications import unread_count
from people import roles

MOST_SHOWN = 99


class UnreadNotifications:
    """The bell's unread count, counted on first use: one query on a page that shows it, none on others."""

    def __init__(self, person):
        self.person = person

    @cached_property
    def count(self):
        return unread_count(self.person) if self.person is not None else 0

    @property
    def label(self):
        return f"{MOST_SHOWN}+" if self.count > MOST_SHOWN else str(self.count)


def notifications(request):
    return {"unread_notifications": UnreadNotifications(roles.person_of(request.user))}
