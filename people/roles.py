"""Roles follow from the data: everyone is an employee, a person with active reports is a manager,
a member of the HR group is HR, anyone who opted in (or manages) is a partner for conversations."""

from django.contrib.auth.models import Group

from careerconv import statements

HR_GROUP = "HR"


def person_of(user):
    if not user.is_authenticated:
        return None
    return getattr(user, "person", None)


def is_hr(user):
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_hr", None)
    if cached is None:
        cached = user.groups.filter(name=HR_GROUP).exists()
        user._is_hr = cached
    return cached


def is_manager(person):
    if person is None:
        return False
    cached = getattr(person, "_is_manager", None)
    if cached is None:
        cached = person.reports.filter(is_active=True).exists()
        person._is_manager = cached
    return cached


def is_partner(person):
    """Can hold conversations with others: managers for their reports, and people who offer them."""
    return person is not None and person.is_active and (person.offers_conversations or is_manager(person))


def find_roles(user, person, *, also=None):
    """Work out is_hr and is_manager together, for the navigation, which asks both on every page: one statement
    written out, where two ORM queries cost several times more to build than the database takes to answer them.

    `also`, an SQL expression and its parameters, is worked out in the same statement for a caller that needs one
    more figure on every page (the bell's unread count), and its value returned."""
    if person is None:
        return None
    known = getattr(user, "_is_hr", None) is not None or getattr(person, "_is_manager", None) is not None
    if known and also is None:
        return None
    expression, params = also or ("NULL", [])
    members, groups, people = (statements.table(model) for model in (Group.user_set.through, Group, type(person)))
    [(in_hr, manages, value)] = statements.rows(
        f"SELECT EXISTS (SELECT 1 FROM {members} m JOIN {groups} g ON g.id = m.group_id"
        f"               WHERE m.user_id = %s AND g.name = %s),"
        f"       EXISTS (SELECT 1 FROM {people} WHERE manager_id = %s AND is_active), {expression}",
        [user.pk, HR_GROUP, person.pk, *params])
    user._is_hr, person._is_manager = bool(in_hr), bool(manages)
    return value
