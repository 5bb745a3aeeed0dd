import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse

MIN_CADENCE_DAYS = 7
MAX_CADENCE_DAYS = 365


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("“%(value)s” is not a known timezone (use a name such as Europe/London).",
                              params={"value": value})


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def new_calendar_token():
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    """The organisation's settings, edited by HR: one row (pk 1)."""

    name = models.CharField(max_length=200, default="Our organisation")
    default_cadence_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(MIN_CADENCE_DAYS), MaxValueValidator(MAX_CADENCE_DAYS)],
        help_text="Days between career conversations unless a person chooses more often.",
    )
    notes_edit_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days after a conversation is held during which its notes can still be edited."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="organisation_cadence_in_range",
                condition=Q(default_cadence_days__gte=MIN_CADENCE_DAYS, default_cadence_days__lte=MAX_CADENCE_DAYS),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        organisation, _ = cls.objects.get_or_create(pk=1, defaults={"name": settings.ORGANISATION_NAME})
        return organisation


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def offering_conversations(self):
        return self.active().filter(offers_conversations=True)

    def managers(self):
        return self.active().filter(reports__is_active=True).distinct()


class Person(models.Model):
    """Someone in the organisation. Roles follow from the data: every person is an employee, a person with
    active reports is a manager, a member of the HR group is HR (see people.roles)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    employee_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    timezone = models.CharField(max_length=64, default=settings.DEFAULT_PERSON_TIMEZONE, validators=[validate_timezone])
    start_date = models.DateField(null=True, blank=True)
    offers_conversations = models.BooleanField(
        default=False, help_text="Offer career conversations to people other than your own reports."
    )
    cadence_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(MIN_CADENCE_DAYS), MaxValueValidator(MAX_CADENCE_DAYS)],
        help_text="Days between your career conversations.",
    )

    # Reminder preferences: each kind can be turned off (the manager digest's overdue list cannot).
    remind_due_soon = models.BooleanField(default=True, help_text="When my next conversation is due soon.")
    remind_overdue = models.BooleanField(default=True, help_text="When my conversation is overdue.")
    remind_upcoming = models.BooleanField(default=True, help_text="The day before a conversation.")
    remind_notes = models.BooleanField(default=True, help_text="When a conversation I held still needs marking.")
    remind_actions = models.BooleanField(default=True, help_text="When an action I own is due or overdue.")
    weekly_digest = models.BooleanField(default=True, help_text="Monday digest of my team (managers).")

    # Secret for the personal calendar feed; rotating it revokes every subscription made with the old one.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)

    is_active = models.BooleanField(default=True, help_text="Unticked when the person has left the organisation.")
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(name="person_not_own_manager", condition=~Q(manager=models.F("pk"))),
            models.CheckConstraint(
                name="person_cadence_in_range",
                condition=Q(cadence_days__gte=MIN_CADENCE_DAYS, cadence_days__lte=MAX_CADENCE_DAYS),
            ),
        ]
        indexes = [models.Index(fields=["manager", "is_active"], name="person_manager_active")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:profile", args=[self.pk])

    @property
    def name(self):
        return self.user.get_full_name() or self.user.username

    @property
    def email(self):
        return self.user.email

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self):
        error = manager_chain_error(person=self, manager=self.manager)
        if error:
            raise ValidationError({"manager": error})
        organisation = Organisation.current()
        if self.cadence_days and self.cadence_days > organisation.default_cadence_days:
            raise ValidationError({"cadence_days": (
                f"The organisation's cadence is every {organisation.default_cadence_days} days: "
                "you can choose more often, not less."
            )})


def manager_chain_error(*, person, manager):
    """Return a message when making `manager` the manager of `person` would close a loop, else None.

    Walks up from the proposed manager; reaching `person` means the chain would come back round.
    """
    if manager is None:
        return None
    if person.pk is not None and manager.pk == person.pk:
        return "A person cannot be their own manager."
    if person.pk is None:
        return None
    if person.pk in _chain_above(manager.pk, stop_at=person.pk):
        return f"{manager.name} reports (directly or not) to {person.name}: that would make a loop of managers."
    return None


# Deeper than any real organisation: the walk stops there, so that a loop already in the data cannot hang it.
MAX_CHAIN = 1000


def _chain_above(pk, *, stop_at):
    """`pk` and everyone above them, in one recursive query whose cost follows the chain's length, not the size of
    the organisation (a SCIM sync sets thousands of managers one by one). Stops early at `stop_at`."""
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE chain(id, depth) AS (SELECT CAST(%s AS BIGINT), 0 UNION ALL "
            f"SELECT p.manager_id, c.depth + 1 FROM {table} p JOIN chain c ON p.id = c.id "
            f"WHERE p.manager_id IS NOT NULL AND c.id <> %s AND c.depth < %s) SELECT id FROM chain",
            [pk, stop_at, MAX_CHAIN],
        )
        return {row[0] for row in cursor.fetchall()}


class PeopleImport(models.Model):
    """A people file uploaded by HR, from its preview to its result.

    The preview is computed when the file is uploaded; the file itself is kept until it is imported (or discarded)
    so that a worker can apply it, then cleared: the HR system stays the record of who works here.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    file_name = models.CharField(max_length=255)
    content = models.TextField(blank=True)
    marks_leavers = models.BooleanField(
        default=True, help_text="People missing from the file are marked as having left."
    )
    sends_invitations = models.BooleanField(default=True, help_text="New people get an invitation by e-mail.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="people_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("people:import_detail", args=[self.pk])


class Invitation(models.Model):
    """An invitation e-mail sent to a person: HR sees when someone was last invited, and can send another."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["person", "sent_at"], name="invitation_person_sent")]

    def __str__(self):
        return f"Invitation to {self.person} at {self.sent_at:%Y-%m-%d %H:%M} UTC"


class ScimToken(models.Model):
    """A bearer token an identity provider uses to keep people in step (SCIM). Only its SHA-256 is kept: the token
    itself is shown once, when it is made or rotated."""

    name = models.CharField(max_length=100, help_text="Which identity provider uses it, e.g. “Okta”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so that HR can tell tokens apart in the provider's settings; too short to guess from.
    prefix = models.CharField(max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="scim_tokens"
    )
    created_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ScimIdentity(models.Model):
    """What an identity provider knows a person by, and a manager it named that is not here yet (providers may send
    a report before their manager): resolved when a person with that id, employee number or e-mail arrives."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    pending_manager = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "SCIM identities"

    def __str__(self):
        return f"SCIM identity of person {self.person_id}"


class ScimEvent(models.Model):
    """One SCIM call: which token, which operation, on which person or group, with which answer. Ids only."""

    token = models.ForeignKey(ScimToken, null=True, on_delete=models.SET_NULL, related_name="events")
    at = models.DateTimeField()
    method = models.CharField(max_length=8)
    resource_type = models.CharField(max_length=32, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "at"], name="scimevent_token_at")]

    def __str__(self):
        return f"{self.method} {self.resource_type} {self.resource_id} → {self.status}"
