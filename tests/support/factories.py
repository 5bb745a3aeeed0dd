"""factory_boy factories for the suite's personas and their data."""

import datetime

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from conversations.models import (
    ActionItem,
    AvailabilitySettings,
    AvailabilityWindow,
    Conversation,
    Notes,
    Preparation,
    Relation,
)
from people.models import Department, Person
from people.roles import HR_GROUP

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    job_title = "Software Engineer"
    department = factory.SubFactory(DepartmentFactory, name="Engineering")
    timezone = "Europe/London"
    cadence_days = 90
    start_date = datetime.date(2024, 1, 8)


def make_hr(person):
    group, _ = Group.objects.get_or_create(name=HR_GROUP)
    person.user.groups.add(group)
    return person


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilitySettings

    person = factory.SubFactory(PersonFactory)
    slot_minutes = 30


def weekday_windows(person, start=datetime.time(9), end=datetime.time(17)):
    """Monday to Friday windows for a partner."""
    return [
        AvailabilityWindow.objects.create(person=person, weekday=day, start_time=start, end_time=end)
        for day in range(5)
    ]


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    employee = factory.SubFactory(PersonFactory)
    partner = factory.SubFactory(PersonFactory)
    relation = Relation.MANAGER
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda c: c.starts_at + datetime.timedelta(minutes=30))
    status = Conversation.Status.CONFIRMED
    booked_by = factory.SelfAttribute("employee")


class PreparationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preparation

    conversation = factory.SubFactory(ConversationFactory)
    abilities = "I am good at untangling legacy code; people ask me about the billing system."
    roadblocks = "Meetings fragment my week."
    environment = "Quiet mornings and a clear brief."


class NotesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notes

    conversation = factory.SubFactory(ConversationFactory)
    author = factory.SelfAttribute("conversation.partner")
    visibility = Notes.Visibility.SHARED
    summary = "A good conversation about moving towards data engineering."


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    conversation = factory.SubFactory(ConversationFactory)
    text = "Shadow the data team for a week"
    owner_kind = ActionItem.Owner.EMPLOYEE
    owner = factory.SelfAttribute("conversation.employee")
    due_on = factory.LazyFunction(lambda: timezone.now().date() + datetime.timedelta(days=14))
