from dataclasses import dataclass

from conversations.notifications import unread_count_sql
from people import roles

MOST_SHOWN = 99


@dataclass(frozen=True)
class UnreadNotifications:
    count: int

    @property
    def label(self):
        return f"{MOST_SHOWN}+" if self.count > MOST_SHOWN else str(self.count)


def layout(request):
    """What every page's layout shows: the person signed in, what the navigation may offer them, and the bell's
    unread count, worked out together in one statement."""
    user = request.user
    person = roles.person_of(user)
    unread = roles.find_roles(user, person, also=unread_count_sql(person)) if person is not None else 0
    return {
        "me": person,
        "is_hr": roles.is_hr(user),
        "is_manager": roles.is_manager(person),
        "is_partner": roles.is_partner(person),
        "unread_notifications": UnreadNotifications(unread),
    }
