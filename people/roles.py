"""Roles follow from the data: everyone is an employee, a person with active reports is a manager,
a member of the HR group is HR, anyone who opted in (or manages) is a partner for conversations."""

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
