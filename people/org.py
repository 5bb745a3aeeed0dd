"""Reporting lines: who manages whom, and the rule that a chain of managers never loops."""

from django.core.exceptions import ValidationError
from django.db import transaction

from people.models import Person, manager_chain_error
from people.signals import manager_changed


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
    if previous != manager:
        manager_changed.send(sender=Person, person_ids=[person.pk])
    return previous
