"""People as SCIM Users (core schema and enterprise extension), and what each SCIM call does to them.

Which source wins: the identity provider owns who someone is and whether they work here — user name, e-mail,
names, job title, department, employee number, manager (when it sends one) and active. The people import keeps
the fields providers do not send (timezone, start date, leaving date), may still correct the shared fields (the
latest write wins), and never marks someone the provider keeps as left merely because a full file omits them:
for those people, leaving is the provider's decision.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from scim2_filter_parser.transpilers.django_q_object import get_query
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    InvalidFilterException,
    InvalidValueException,
    Manager,
    Meta,
    Name,
    NotFoundException,
    PatchOp,
    ScimPolicy,
    UniquenessException,
    User,
)

from people.models import Department, Person, ScimIdentity
from people.org import mark_left, mark_returned, set_manager

UserResource = User[EnterpriseUser]
# Providers send attributes careerconv does not keep (phone numbers, addresses, custom extensions): ignored.
POLICY = ScimPolicy(unknown=ScimPolicy.Unknown.ignore)

AuthUser = get_user_model()

# SCIM attribute → the field a filter compares (scim2-filter-parser's map: (attribute, sub-attribute, schema)).
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
FILTER_FIELDS = {
    ("userName", None, None): "user__username",
    ("externalId", None, None): "scim__external_id",
    ("id", None, None): "pk",
    ("displayName", None, None): "user__first_name",
    ("name", "givenName", None): "user__first_name",
    ("name", "familyName", None): "user__last_name",
    ("emails", None, None): "user__email",
    ("emails", "value", None): "user__email",
    ("title", None, None): "job_title",
    ("active", None, None): "is_active",
    ("employeeNumber", None, ENTERPRISE): "employee_id",
    ("department", None, ENTERPRISE): "department__name",
    ("manager", "value", ENTERPRISE): "manager_id",
}


def people():
    return Person.objects.select_related("user", "department", "scim")


def to_resource(person, *, location):
    """The person as a SCIM User: the manager by their SCIM id, or as the provider named them while they are not
    here yet (so that the provider sees what it sent)."""
    identity = getattr(person, "scim", None)
    manager = None
    if person.manager_id:
        manager = Manager(value=str(person.manager_id))
    elif identity is not None and identity.pending_manager:
        manager = Manager(value=identity.pending_manager)
    user = person.user
    resource = UserResource(
        id=str(person.pk),
        external_id=identity.external_id if identity is not None else None,
        user_name=user.username,
        name=Name(given_name=user.first_name or None, family_name=user.last_name or None)
        if user.first_name or user.last_name else None,
        display_name=user.get_full_name() or user.username,
        emails=[Email(value=user.email, type="work")] if user.email else None,
        title=person.job_title or None,
        active=person.is_active,
        meta=Meta(resource_type="User", created=person.created_at, last_modified=person.updated_at,
                  location=location),
    )
    resource[EnterpriseUser] = EnterpriseUser(
        employee_number=person.employee_id or None,
        department=person.department.name if person.department_id else None,
        manager=manager,
    )
    return resource


def parse_user(payload):
    """A User from a request body. Entra sends a manager as a bare id and `$ref` is left out by every provider,
    so the manager is read leniently; a missing userName is refused as the RFC requires."""
    payload = _lenient_manager(payload)
    resource = UserResource.model_validate(payload, scim_policy=POLICY)
    if not resource.user_name or not resource.user_name.strip():
        raise InvalidValueException(detail="userName is required.")
    return resource


def _lenient_manager(payload):
    extension = payload.get(ENTERPRISE) if isinstance(payload, dict) else None
    if isinstance(extension, dict) and isinstance(extension.get("manager"), str):
        payload = {**payload, ENTERPRISE: {**extension, "manager": {"value": extension["manager"]}}}
    return payload


def parse_patch(payload):
    operations = payload.get("Operations") if isinstance(payload, dict) else None
    if isinstance(operations, list):
        fixed = []
        for operation in operations:
            if (isinstance(operation, dict) and str(operation.get("path", "")).lower().endswith("manager")
                    and isinstance(operation.get("value"), str)):
                operation = {**operation, "value": {"value": operation["value"]}}
            fixed.append(operation)
        payload = {**payload, "Operations": fixed}
    return PatchOp[UserResource].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY)


def search(*, filter_text):
    queryset = people().order_by("pk")
    if filter_text:
        try:
            queryset = queryset.filter(get_query(filter_text, FILTER_FIELDS))
        except Exception as error:  # the parser raises its own assorted errors for any malformed filter
            raise InvalidFilterException(detail=f"This filter cannot be read: {error}") from error
    return queryset


def get_person(pk):
    try:
        return people().get(pk=int(pk))
    except (ValueError, Person.DoesNotExist):
        raise NotFoundException(detail=f"No user {pk}.") from None


def _find_existing(resource):
    """Matching as the import does, with the provider's id first: external id, then employee id, then e-mail."""
    emails = _emails(resource)
    number = _enterprise(resource).employee_number
    if resource.external_id:
        found = people().filter(scim__external_id=resource.external_id).first()
        if found:
            return found
    if number:
        found = people().filter(employee_id=number).first()
        if found:
            return found
    if emails:
        return people().annotate(email_lower=Lower("user__email")).filter(email_lower=emails[0].lower()).first()
    return None


def _emails(resource):
    chosen = sorted(resource.emails or [], key=lambda email: not email.primary)
    values = [str(email.value) for email in chosen if email.value]
    if not values and "@" in resource.user_name:
        values = [resource.user_name]
    return values


def _enterprise(resource):
    return resource[EnterpriseUser] or EnterpriseUser()


@transaction.atomic
def create_person(*, resource, now, cadence_days):
    """A new person, or one already here (imported from a file, say) taken over by the provider."""
    person = _find_existing(resource)
    if person is not None:
        identity = getattr(person, "scim", None)
        if identity is not None and identity.external_id != (resource.external_id or None):
            raise UniquenessException(detail="This user is already provisioned.")
        if identity is None and AuthUser.objects.filter(username=resource.user_name).exclude(
                pk=person.user_id).exists():
            raise UniquenessException(detail="This userName is taken.")
    else:
        if AuthUser.objects.filter(username=resource.user_name).exists():
            raise UniquenessException(detail="This userName is taken.")
        user = AuthUser.objects.create_user(username=resource.user_name)
        person = Person.objects.create(user=user, cadence_days=cadence_days)
        person = people().get(pk=person.pk)
    _apply(person, resource, now=now)
    _resolve_waiting_reports(person)
    return person


@transaction.atomic
def replace_person(*, person, resource, now):
    _apply(person, resource, now=now)
    _resolve_waiting_reports(person)
    return person


@transaction.atomic
def patch_person(*, person, payload, now):
    """Apply a PATCH the way the RFC describes it: to the resource as it is, then write what changed."""
    patch = parse_patch(payload)
    resource = to_resource(person, location=None)
    # The display name shown is made from the name: only a displayName the patch itself sends stands for one.
    resource.display_name = None
    if patch.patch(resource):
        _apply(person, resource, now=now)
        _resolve_waiting_reports(person)
    return person


def delete_person(*, person, now):
    """DELETE marks the person as left, like `active: false`: careerconv never deletes history."""
    mark_left(person=person, today=now.date(), now=now)


def _apply(person, resource, *, now):
    user = person.user
    emails = _emails(resource)
    extension = _enterprise(resource)
    name = resource.name or Name()
    if resource.user_name != user.username and AuthUser.objects.filter(
            username=resource.user_name).exclude(pk=user.pk).exists():
        raise UniquenessException(detail="This userName is taken.")
    user_fields = {
        "username": resource.user_name,
        "email": emails[0] if emails else "",
        "first_name": (name.given_name or "")[:150],
        "last_name": (name.family_name or "")[:150],
    }
    if not name.given_name and not name.family_name and resource.display_name:
        first, _, last = resource.display_name.partition(" ")
        user_fields.update(first_name=first[:150], last_name=last[:150])
    changed_user = [field for field, value in user_fields.items() if getattr(user, field) != value]
    for field in changed_user:
        setattr(user, field, user_fields[field])
    if changed_user:
        user.save(update_fields=changed_user)

    department = None
    if extension.department:
        department, _ = Department.objects.get_or_create(name=extension.department.strip()[:120])
    person_fields = {
        "job_title": (resource.title or "")[:150],
        "department_id": department.pk if department else None,
        "employee_id": extension.employee_number or None,
    }
    changed_person = [field for field, value in person_fields.items() if getattr(person, field) != value]
    for field in changed_person:
        setattr(person, field, person_fields[field])
    if changed_person:
        try:
            with transaction.atomic():
                person.save(update_fields=[*changed_person, "updated_at"])
        except IntegrityError as error:
            raise UniquenessException(detail="This employeeNumber belongs to someone else.") from error

    _set_identity(person, external_id=resource.external_id or None)
    _set_manager_reference(person, extension.manager.value if extension.manager else None)

    if resource.active is False:
        mark_left(person=person, today=now.date(), now=now)
    elif resource.active is True:
        mark_returned(person=person, now=now)


def _set_identity(person, *, external_id):
    identity = getattr(person, "scim", None)
    if identity is None:
        try:
            with transaction.atomic():
                person.scim = ScimIdentity.objects.create(person=person, external_id=external_id)
        except IntegrityError as error:
            raise UniquenessException(detail="This externalId belongs to someone else.") from error
    elif identity.external_id != external_id:
        identity.external_id = external_id
        try:
            with transaction.atomic():
                identity.save(update_fields=["external_id"])
        except IntegrityError as error:
            raise UniquenessException(detail="This externalId belongs to someone else.") from error


def _find_manager(reference):
    """Providers name a manager by its SCIM id; some send the external id, employee number or e-mail instead."""
    query = Q(scim__external_id=reference) | Q(employee_id=reference) | Q(user__email__iexact=reference)
    if reference.isdigit():
        query |= Q(pk=int(reference))
    matches = list(Person.objects.select_related("user").filter(query)[:2])
    # An id wins over the rest, so that a number that is also someone's employee id stays unambiguous.
    return next((match for match in matches if str(match.pk) == reference), matches[0] if matches else None)


def _set_manager_reference(person, reference):
    identity = person.scim
    reference = (reference or "").strip()
    manager = _find_manager(reference) if reference else None
    pending = reference if reference and manager is None else ""
    if identity.pending_manager != pending:
        identity.pending_manager = pending
        identity.save(update_fields=["pending_manager"])
    if person.manager_id != (manager.pk if manager else None) and (manager is not None or not pending):
        try:
            set_manager(person=person, manager=manager)
        except ValidationError as error:
            raise InvalidValueException(detail=" ".join(error.message_dict.get("manager", error.messages))) from None


def _resolve_waiting_reports(person):
    """People who named this person as their manager before they arrived now report to them."""
    references = {str(person.pk), person.user.email, person.employee_id, person.scim.external_id} - {None, ""}
    waiting = ScimIdentity.objects.filter(pending_manager__in=references).select_related("person__user")
    for identity in waiting:
        report = identity.person
        try:
            set_manager(person=report, manager=person)
        except ValidationError:
            continue  # a loop stays unresolved: the report keeps waiting, and the provider sees what it sent
        identity.pending_manager = ""
        identity.save(update_fields=["pending_manager"])
