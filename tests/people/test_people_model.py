import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from people import roles
from people.models import Organisation, Person
from people.org import set_manager
from tests.support.factories import PersonFactory, make_hr

pytestmark = pytest.mark.django_db


def test_a_manager_chain_that_loops_is_refused(employee, manager):
    # Eli reports to Maya; making Eli Maya's manager would close a loop.
    manager.manager = employee

    with pytest.raises(ValidationError) as error:
        manager.full_clean()

    assert "loop of managers" in error.value.message_dict["manager"][0]


def test_a_longer_loop_is_refused_through_set_manager():
    ceo = PersonFactory()
    head = PersonFactory(manager=ceo)
    lead = PersonFactory(manager=head)
    engineer = PersonFactory(manager=lead)

    with pytest.raises(ValidationError):
        set_manager(person=ceo, manager=engineer)

    ceo.refresh_from_db()
    assert ceo.manager is None


def test_a_person_cannot_manage_themselves_even_in_the_database(employee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=employee.pk).update(manager=employee)


def test_changing_manager_to_someone_outside_the_chain_is_accepted(employee, stranger):
    previous = set_manager(person=employee, manager=stranger)

    employee.refresh_from_db()
    assert employee.manager == stranger
    assert previous.user.username == "maya"


def test_a_person_may_choose_a_cadence_more_often_but_not_less_often_than_the_organisation(employee):
    employee.cadence_days = 30
    employee.full_clean()

    employee.cadence_days = 120
    with pytest.raises(ValidationError) as error:
        employee.full_clean()
    assert "every 90 days" in error.value.message_dict["cadence_days"][0]


def test_the_organisation_default_cadence_is_ninety_days():
    assert Organisation.current().default_cadence_days == 90


def test_an_unknown_timezone_is_refused(employee):
    employee.timezone = "Mars/Olympus_Mons"

    with pytest.raises(ValidationError) as error:
        employee.full_clean()

    assert "not a known timezone" in error.value.message_dict["timezone"][0]


def test_roles_follow_from_the_data(employee, manager, hr, mentor, stranger):
    assert roles.is_manager(manager) and not roles.is_manager(employee)
    assert roles.is_partner(manager) and roles.is_partner(mentor) and not roles.is_partner(stranger)
    assert roles.is_hr(hr.user) and not roles.is_hr(employee.user)


def test_a_manager_whose_reports_all_left_is_no_longer_a_manager(employee, manager):
    Person.objects.filter(pk=employee.pk).update(is_active=False)

    assert not roles.is_manager(Person.objects.get(pk=manager.pk))


def test_hr_membership_is_the_hr_group(stranger):
    make_hr(stranger)

    assert roles.is_hr(stranger.user.__class__.objects.get(pk=stranger.user.pk))
