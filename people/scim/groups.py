"""careerconv's roles that come from data, as SCIM Groups. Only HR is one: managers follow from reporting lines and
partners from their own choice. A provider can fill the HR group, not invent others or delete it."""

from django.contrib.auth.models import Group as AuthGroup
from django.db import transaction
from scim2_models import (
    Context,
    Group,
    GroupMember,
    InvalidValueException,
    Meta,
    MutabilityException,
    NotFoundException,
    PatchOp,
    UniquenessException,
)

from people.models import Person
from people.roles import HR_GROUP
from people.scim.users import POLICY

ROLES = (HR_GROUP,)


def hr_group():
    return AuthGroup.objects.get_or_create(name=HR_GROUP)[0]


def groups(*, display_name=None):
    if display_name is not None and display_name.lower() not in {role.lower() for role in ROLES}:
        return []
    return [hr_group()]


def get_group(pk):
    group = hr_group()
    if str(pk) != str(group.pk):
        raise NotFoundException(detail=f"No group {pk}.")
    return group


def to_resource(group, *, location_of):
    members = Person.objects.filter(user__groups=group).select_related("user").order_by("pk")
    return Group(
        id=str(group.pk),
        display_name=group.name,
        members=[GroupMember(value=str(person.pk), display=person.name, type="User") for person in members] or None,
        meta=Meta(resource_type="Group", location=location_of(group)),
    )


def parse_group(payload):
    return Group.model_validate(payload, scim_policy=POLICY)


def create_group(*, resource):
    if (resource.display_name or "").lower() == HR_GROUP.lower():
        raise UniquenessException(detail="The HR group already exists: add members to it.")
    raise MutabilityException(detail=f"careerconv's only group from the identity provider is {HR_GROUP}.")


@transaction.atomic
def replace_group(*, group, resource):
    if resource.display_name and resource.display_name != group.name:
        raise MutabilityException(detail="The HR group cannot be renamed.")
    _set_members(group, [member.value for member in resource.members or []])


@transaction.atomic
def patch_group(*, group, payload, location_of):
    patch = PatchOp[Group].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY)
    resource = to_resource(group, location_of=location_of)
    if patch.patch(resource):
        if resource.display_name != group.name:
            raise MutabilityException(detail="The HR group cannot be renamed.")
        _set_members(group, [member.value for member in resource.members or []])


def _set_members(group, values):
    try:
        wanted = {int(value) for value in values if value}
    except ValueError:
        raise InvalidValueException(detail="Members are users' ids.") from None
    users = dict(Person.objects.filter(pk__in=wanted).values_list("pk", "user_id"))
    if set(users) != wanted:
        raise InvalidValueException(detail="Some members are not users here.")
    group.user_set.set(users.values())
