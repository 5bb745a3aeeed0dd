"""Reporting lines: who manages whom, and the rule that a chain of managers never loops."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from people.models import Person, manager_chain_error
from people.signals import manager_changed, people_left


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


@transaction.atomic
def mark_left(*, person, today, now):
    """Mark a person as having left: no sign-in, and `people_left` so that what they had coming is called off.
    Never deleted: their history stays. Marking someone who has already left changes nothing."""
    if not person.is_active:
        return False
    Person.objects.filter(pk=person.pk).update(is_active=False, left_on=today, updated_at=now)
    get_user_model().objects.filter(pk=person.user_id).update(is_active=False)
    person.is_active, person.left_on = False, today
    people_left.send(sender=Person, person_ids=[person.pk], now=now)
    return True


def mark_returned(*, person, now):
    """Bring back someone who had left: they can sign in again."""
    if person.is_active:
        return False
    Person.objects.filter(pk=person.pk).update(is_active=True, left_on=None, updated_at=now)
    get_user_model().objects.filter(pk=person.user_id).update(is_active=True)
    person.is_active, person.left_on = True, None
    return True
