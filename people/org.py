"""Reporting lines: who manages whom, and the rule that a chain of managers never loops."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Person


def manager_chain_error(*, person, manager):
    """Return a message when making `manager` the manager of `person` would close a loop, else None.

    Walks up from the proposed manager; reaching `person` means the chain would come back round.
    The walk stops at a chain longer than the organisation so that a loop already in the data cannot hang it.
    """
    if manager is None:
        return None
    if person.pk is not None and manager.pk == person.pk:
        return "A person cannot be their own manager."
    if person.pk is None:
        return None
    parents = dict(Person.objects.filter(manager__isnull=False).values_list("pk", "manager_id"))
    seen = set()
    current = manager.pk
    while current is not None and current not in seen:
        if current == person.pk:
            return f"{manager.name} reports (directly or not) to {person.name}: that would make a loop of managers."
        seen.add(current)
        current = parents.get(current)
    return None


@transaction.atomic
def set_manager(*, person, manager):
    """Change a person's manager, refusing a loop. Returns the previous manager."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    error = manager_chain_error(person=locked, manager=manager)
    if error:
        raise ValidationError({"manager": error})
    previous = locked.manager
    locked.manager = manager
    locked.save(update_fields=["manager", "updated_at"])
    person.manager = manager
    return previous
