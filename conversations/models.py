import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from careerconv.encryption import EncryptedCharField, EncryptedTextField
from people.models import Person

# Long text is accepted up to this many characters; forms say so past it.
TEXT_LIMIT = 5000


class Relation(models.TextChoices):
    MANAGER = "manager", "Manager"
    SKIP_LEVEL = "skip_level", "Skip-level manager"
    MENTOR = "mentor", "Mentor"
    PEER = "peer", "Peer"
    HR = "hr", "HR"
    OTHER = "other", "Other"


class Area(models.TextChoices):
    """The article's three feedback areas, then the three further fields it names: the fields of FeedbackAreas,
    with their labels."""

    ABILITIES = "abilities", "Abilities and perceived value"
    ROADBLOCKS = "roadblocks", "Roadblocks to success"
    ENVIRONMENT = "environment", "Environment for the greatest contribution"
    SOFT_SKILLS = "soft_skills", "Soft skills"
    TECHNICAL_SKILLS = "technical_skills", "Technical skills"
    PEER_DIFFERENTIATORS = "peer_differentiators", "Key peer differentiators"


# The names of the feedback-area fields, in the article's order; Area(name).label is each one's label.
FEEDBACK_AREA_FIELDS = tuple(Area.values)


class Topic(models.TextChoices):
    SKILL_SETS = "skill_sets", "Skill sets"
    EXPERIENCE = "experience", "Experience and performance"
    OPPORTUNITIES = "opportunities", "Opportunities"
    PROGRESSION = "progression", "Career progression"


class Direction(models.TextChoices):
    """Careers are a climbing wall: up and sideways."""

    GROW = "grow", "Grow in my current role"
    UP = "up", "Move up"
    SIDEWAYS = "sideways", "Move sideways"
    EXPLORE = "explore", "Explore something new"


class Horizon(models.TextChoices):
    SIX_MONTHS = "6m", "Within 6 months"
    ONE_YEAR = "1y", "Within a year"
    TWO_THREE_YEARS = "2-3y", "In 2–3 years"
    LONGER = "5y", "In 5 years or more"


# --- Availability ----------------------------------------------------------------------------------------------


class AvailabilitySettings(models.Model):
    """A partner's slot length and how far ahead they can be booked; windows are in the partner's timezone."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="availability")
    slot_minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(15), MaxValueValidator(180)]
    )
    weeks_ahead = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1), MaxValueValidator(12)])
    min_notice_hours = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(14 * 24)])
    # Raised by the database with every change to the person's windows or days off, whatever makes it (migration
    # 0016): each process keeps the slots they offer under it (availability._kept_offered_starts).
    schedule_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name_plural = "availability settings"
        constraints = [
            models.CheckConstraint(name="availability_slot_length_in_range",
                                   condition=Q(slot_minutes__gte=15, slot_minutes__lte=180)),
        ]

    def __str__(self):
        return f"{self.person}: {self.slot_minutes}-minute slots"

    def save(self, *args, **kwargs):
        # A row read before a window changed must not put its older schedule_version back when it is saved.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [field.name for field in self._meta.concrete_fields
                                       if not field.primary_key and field.name != "schedule_version"]
        super().save(*args, **kwargs)


class AvailabilityWindow(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="availability_windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(name="window_ends_after_start", condition=Q(end_time__gt=F("start_time"))),
            models.CheckConstraint(name="window_weekday_valid", condition=Q(weekday__gte=0, weekday__lte=6)),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class DayOff(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name_plural = "days off"
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="day_off_once_per_person")]

    def __str__(self):
        return f"{self.person}: {self.date}"


# --- Conversations ---------------------------------------------------------------------------------------------


# Booked and not called off: these occupy both people's calendars.
ACTIVE_STATUSES = ("requested", "confirmed")


class ConversationQuerySet(models.QuerySet):
    def involving(self, person):
        return self.filter(Q(employee=person) | Q(partner=person))

    def active(self):
        """Booked and not called off: these occupy both people's calendars."""
        return self.filter(status__in=Conversation.ACTIVE_STATUSES)

    def held(self):
        return self.filter(status=Conversation.Status.COMPLETED)


class Conversation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Held"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Kind(models.TextChoices):
        STANDALONE = "standalone", "Standalone career conversation"
        REVIEW = "review", "Attached to a performance review"

    ACTIVE_STATUSES = ACTIVE_STATUSES

    employee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conversations_as_employee")
    partner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conversations_as_partner")
    relation = models.CharField(max_length=20, choices=Relation.choices,
                                help_text="The partner's relation to the employee when it was booked.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=500, blank=True, help_text="A room, or a video-call link.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STANDALONE)

    # iCalendar identity: the UID never changes, SEQUENCE rises with every change sent to calendars.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # The invitation outbox (see invitation_outbox.py): the sequence whose invitation is still to go out, set in the
    # same transaction as the change, and when a sender took it.
    invitation_pending = models.PositiveIntegerField(null=True, blank=True, editable=False)
    invitation_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    booked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    change_reason = EncryptedCharField(max_length=500, blank=True,
                                     help_text="Why it was last rescheduled or cancelled.")

    held_at = models.DateTimeField(null=True, blank=True, help_text="When the partner marked it held or a no-show.")
    notes_locked_at = models.DateTimeField(null=True, blank=True)
    employee_reflection = EncryptedTextField(blank=True, max_length=TEXT_LIMIT)
    notes_acknowledged_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(name="conversation_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="conversation_two_people", condition=~Q(employee=F("partner"))),
            # The last line against a double booking: one active conversation per partner per start time.
            # Overlaps that do not share a start are refused by booking.py under a row lock.
            models.UniqueConstraint(fields=["partner", "starts_at"], condition=Q(status__in=ACTIVE_STATUSES),
                                    name="conversation_partner_slot_once"),
            models.UniqueConstraint(fields=["employee", "starts_at"], condition=Q(status__in=ACTIVE_STATUSES),
                                    name="conversation_employee_slot_once"),
        ]
        indexes = [
            models.Index(fields=["employee", "status", "starts_at"], name="conversation_employee_status"),
            models.Index(fields=["partner", "status", "starts_at"], name="conversation_partner_status"),
            models.Index(fields=["status", "starts_at"], name="conversation_status_start"),
            # Used by the invitation sweep: what is still to be sent.
            models.Index(fields=["updated_at"], condition=Q(invitation_pending__isnull=False),
                         name="conversation_invite_pending"),
        ]

    def __str__(self):
        return f"{self.employee} with {self.partner}, {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self):
        return reverse("conversations:detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    def other_participant(self, person):
        return self.partner if person.pk == self.employee_id else self.employee


class FeedbackAreas(models.Model):
    """The text of each feedback area (see Area), which a preparation and a participant's notes both hold."""

    abilities = EncryptedTextField(Area.ABILITIES.label, blank=True, max_length=TEXT_LIMIT)
    roadblocks = EncryptedTextField(Area.ROADBLOCKS.label, blank=True, max_length=TEXT_LIMIT)
    environment = EncryptedTextField(Area.ENVIRONMENT.label, blank=True, max_length=TEXT_LIMIT)
    soft_skills = EncryptedTextField(Area.SOFT_SKILLS.label, blank=True, max_length=TEXT_LIMIT)
    technical_skills = EncryptedTextField(Area.TECHNICAL_SKILLS.label, blank=True, max_length=TEXT_LIMIT)
    peer_differentiators = EncryptedTextField(Area.PEER_DIFFERENTIATORS.label, blank=True, max_length=TEXT_LIMIT)

    class Meta:
        abstract = True


class Preparation(FeedbackAreas):
    """The employee's preparation, structured by the article; the partner sees it once it is shared."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="preparation")
    topics = models.JSONField(default=list, blank=True, help_text="Topics to cover (values of Topic).")
    aspiration_direction = models.CharField(max_length=20, choices=Direction.choices, blank=True)
    aspiration_target = EncryptedCharField("Target role or area", max_length=200, blank=True)
    aspiration_horizon = models.CharField(max_length=10, choices=Horizon.choices, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True, help_text="When the employee shared it with the partner.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Preparation for {self.conversation}"

    @property
    def is_shared(self):
        return self.shared_at is not None

    @property
    def is_empty(self):
        texts = [getattr(self, name) for name in (*FEEDBACK_AREA_FIELDS, "aspiration_target")]
        return not any(value.strip() for value in texts) and not self.topics and not self.aspiration_direction


class Notes(FeedbackAreas):
    """One participant's notes on a conversation: shared with the other participant, or private to the author."""

    class Visibility(models.TextChoices):
        SHARED = "shared", "Shared with the other participant"
        PRIVATE = "private", "Private to me"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes_written")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    summary = EncryptedTextField(blank=True, max_length=TEXT_LIMIT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notes"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "author", "visibility"], name="notes_once_per_author_kind"),
        ]

    def __str__(self):
        return f"{self.get_visibility_display()} notes by {self.author} on {self.conversation}"


class ActionItem(models.Model):
    class Owner(models.TextChoices):
        EMPLOYEE = "employee", "The employee"
        PARTNER = "partner", "The partner"
        ORGANISATION = "organisation", "The organisation"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="actions")
    text = EncryptedCharField(max_length=500)
    owner_kind = models.CharField(max_length=20, choices=Owner.choices)
    # The person who owns it; empty for organisation-owned actions (HR follows those up).
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_owned")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="action_owner_matches_kind",
                condition=Q(owner_kind="organisation", owner__isnull=True)
                | (~Q(owner_kind="organisation") & Q(owner__isnull=False)),
            ),
        ]
        indexes = [
            # Used by "My commitments" and the action reminders: open actions by owner and due date.
            models.Index(fields=["owner", "due_on"], condition=Q(done_at__isnull=True), name="action_open_by_owner"),
        ]

    def __str__(self):
        # Not the text: the admin shows an object's name in titles, breadcrumbs, deletion summaries and its
        # history, where staff who are not superusers must not read what was agreed.
        return f"Action {self.pk} of {self.conversation}"

    @property
    def is_done(self):
        return self.done_at is not None


class ActionUpdateRequest(models.Model):
    """A participant asking HR how an action the organisation owns is getting on. It stays open until the action is
    marked done, when the person who asked is told."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="update_requests")
    asked_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            # One open request per action and person: a second click, or a second tab, adds nothing.
            models.UniqueConstraint(fields=["action", "asked_by"], condition=Q(answered_at__isnull=True),
                                    name="action_update_request_open_once"),
        ]

    def __str__(self):
        return f"Update request {self.pk} on {self.action}"


class GuideQuestion(models.Model):
    """The question library: open questions that help a partner guide rather than direct. HR edits it."""

    area = models.CharField(max_length=30, choices=Area.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["area", "position", "pk"]

    def __str__(self):
        return self.text


# --- Reminders and notifications -------------------------------------------------------------------------------


class Reminder(models.Model):
    """A reminder decided by the sweep, recorded before it is sent so that it is sent once.

    The unique constraint on (kind, recipient, subject, period) is what turns duplicate beat ticks and racing
    workers into a single row; the status and claim columns make the sending task idempotent.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Conversation due soon"
        DUE_SOON_MANAGER = "due_soon_manager", "Report due soon (to manager)"
        OVERDUE = "overdue", "Conversation overdue"
        OVERDUE_MANAGER = "overdue_manager", "Report overdue (to manager)"
        UPCOMING = "upcoming", "Conversation tomorrow"
        NOTES = "notes", "Mark conversation held"
        ACTION_DUE = "action_due", "Action due soon"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        DIGEST = "digest", "Weekly team digest"
        FEEDBACK_DUE = "feedback_due", "Feedback asked of me due soon"
        FEEDBACK_OVERDUE = "feedback_overdue", "Feedback asked of me past its date"
        FEEDBACK_READY = "feedback_ready", "Feedback I asked for is in"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (no longer relevant)"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    subject = models.CharField(max_length=64, help_text="What it is about, e.g. person:12 or conversation:40.")
    period = models.CharField(max_length=32, help_text="Which occurrence, e.g. the due date or the ISO week.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    not_before = models.DateTimeField(help_text="Not sent before this time (the recipient's sending window).")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The e-mail it went out in: set when a worker takes it into an e-mail, so that no other worker can.
    email = models.ForeignKey("ReminderEmail", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="reminders", db_index=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "subject", "period"], name="reminder_recorded_once"),
        ]
        indexes = [
            # Used by the sender's sweep: what is still waiting to go out.
            models.Index(fields=["not_before"], condition=Q(status__in=["pending", "sending"]),
                         name="reminder_waiting"),
            # An e-mail's reminders. Partial: most rows wait without an e-mail, and the sweep inserts them in bulk.
            models.Index(fields=["email"], condition=Q(email__isnull=False), name="reminder_in_email"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.period})"


class ReminderEmail(models.Model):
    """One e-mail carrying one or more reminders to one person.

    The reminders of a day are bundled into one e-mail (`bundle_day`, the recipient's local date); the unique
    constraint makes "at most one reminder e-mail a day" hold even when two workers bundle for the same person
    at once. The day-before "upcoming" reminder goes alone and outside that limit (`bundle_day` empty).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for its next attempt"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminder_emails")
    bundle_day = models.DateField(null=True, blank=True,
                                  help_text="The recipient's local date of a daily bundle; empty for an e-mail "
                                            "outside the daily limit.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(help_text="Not tried before this time (backoff after a failure).")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject_line = EncryptedCharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "bundle_day"], condition=Q(bundle_day__isnull=False),
                                    name="reminder_email_one_bundle_a_day"),
        ]
        indexes = [
            # Used by the sweep to find e-mails whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="reminder_email_retry"),
        ]

    def __str__(self):
        return f"E-mail to {self.recipient} ({self.get_status_display()})"


class Notification(models.Model):
    """The in-app copy of what was sent: the bell's list."""

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.ForeignKey(Reminder, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="notifications")
    title = EncryptedCharField(max_length=200)
    body = EncryptedTextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notification is about ("action:12"): a newer notice about the same thing replaces it, and it is
    # cleared when its subject stops needing attention (an action marked done).
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Its e-mail copy: an outbox (see conversations.notice_email). Owed from the moment the notification is saved.
    email_pending = models.BooleanField(default=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A reminder's e-mail and its in-app copy go together: one notification per reminder.
            models.UniqueConstraint(fields=["reminder", "recipient"], name="notification_once_per_reminder",
                                    condition=Q(reminder__isnull=False)),
            # One item per subject under a person's bell, never two identical ones.
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key",
                                    condition=~Q(key="")),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # Used by the notice e-mail sweep: copies still owed.
            models.Index(fields=["created_at"], condition=Q(email_pending=True), name="notification_email_pending"),
        ]

    def __str__(self):
        # Not the title, which may quote an action's text (see ActionItem.__str__).
        return f"Notification {self.pk} to {self.recipient}"


# --- Follow-through across conversations -----------------------------------------------------------------------


class Roadblock(models.Model):
    """A roadblock to the employee's success, followed from the conversation that raised it until it is resolved.

    The free-text roadblocks of preparations and notes cannot be matched from one conversation to the next, so a
    participant names the roadblock once and later conversations say whether it is still open; `raised_in` is
    every conversation in which it came up.
    """

    employee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roadblocks")
    text = EncryptedCharField(max_length=300)
    raised_in = models.ManyToManyField(Conversation, related_name="roadblocks")
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_in = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resolved_at", "created_at", "pk"]
        indexes = [
            # Used by the carry-over of a conversation: the employee's roadblocks still open.
            models.Index(fields=["employee"], condition=Q(resolved_at__isnull=True), name="roadblock_open_by_employee"),
        ]

    def __str__(self):
        # Not the text, for the same reason as ActionItem.__str__.
        return f"Roadblock {self.pk} of {self.employee}"


class Handover(models.Model):
    """What an employee hands over to a new manager from earlier conversations: shared notes and actions only.

    The history itself stays with the employee; the new manager sees dates and statuses, and the content listed
    here once the employee has chosen it.
    """

    employee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="handovers")
    new_manager = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="handovers_received")
    previous_manager = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.ManyToManyField(Notes, blank=True, related_name="handovers")
    actions = models.ManyToManyField(ActionItem, blank=True, related_name="handovers")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When the employee last saved their choice.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "new_manager"], name="handover_once_per_new_manager"),
        ]

    def __str__(self):
        return f"Handover from {self.employee} to {self.new_manager}"


# --- Audit -----------------------------------------------------------------------------------------------------


class AuditEvent(models.Model):
    """Someone opened or changed the private records of a conversation, or a person's data was exported or erased.

    The employee whose records they are (`subject`) sees these events; HR sees only their counts (see audit.py).
    Rows outlive what they point at: an erased person's events keep their role and time, not their identity.
    """

    class Record(models.TextChoices):
        PREPARATION = "preparation", "Preparation"
        SHARED_NOTES = "shared_notes", "Shared notes"
        PRIVATE_NOTES = "private_notes", "Private notes"
        PERSONAL_DATA = "personal_data", "Personal data"
        ACTION = "action", "Action the organisation owns"

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        CHANGED = "changed", "Changed"
        EXPORTED = "exported", "Downloaded"
        ERASED = "erased", "Erased"
        UPDATE_ASKED = "update_asked", "Asked HR for an update"

    class Role(models.TextChoices):
        EMPLOYEE = "employee", "The employee"
        PARTNER = "partner", "The conversation partner"
        MANAGER = "manager", "The employee's manager"
        HR = "hr", "HR"
        ADMINISTRATOR = "administrator", "An administrator"
        OTHER = "other", "Someone else"

    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_role = models.CharField(max_length=20, choices=Role.choices)
    subject = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events",
                                help_text="The person whose records these are.")
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    record = models.CharField(max_length=20, choices=Record.choices)
    action = models.CharField(max_length=20, choices=Action.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # Used by "Who has seen my records": one person's events, newest first.
            models.Index(fields=["subject", "-at"], name="audit_event_by_subject"),
            # Used by HR's counts over a period.
            models.Index(fields=["at"], name="audit_event_by_time"),
        ]

    def __str__(self):
        return f"{self.get_record_display()} {self.get_action_display().lower()} by {self.get_actor_role_display()}"

    @property
    def actor_name(self):
        if self.actor is None:
            return "A person who has left"
        person = getattr(self.actor, "person", None)
        return person.name if person is not None else (self.actor.get_full_name() or self.actor.get_username())


# --- Partners' own calendars ----------------------------------------------------------------------------------


class CalendarConnection(models.Model):
    """A calendar of a partner's that careerconv reads busy times from (and, for CalDAV, may write conversations
    to): an iCalendar subscription address or a CalDAV account. See conversations/calendars/.

    The address and the account's credentials are secrets (a secret iCal address is a password by another name):
    encrypted at rest and never shown again after saving.
    """

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription address"
        CALDAV = "caldav", "CalDAV account"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_connections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the partner recognises it by: the host name (and user name for CalDAV), never the secret path.
    label = models.CharField(max_length=200)
    address = EncryptedCharField(max_length=2000)
    username = EncryptedCharField(max_length=200, blank=True)
    password = EncryptedCharField(max_length=500, blank=True)
    # CalDAV: the account's calendars as [{"url", "name"}], those read for busy times, and the one conversations
    # are written to ("" for none).
    calendars = models.JSONField(default=list, blank=True)
    read_calendars = models.JSONField(default=list, blank=True)
    write_calendar = models.CharField(max_length=2000, blank=True)
    # Subscription: the validators of the last full read, sent back to get a 304, and how far ahead it reached.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    read_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # Set when the partner was told the busy times are stale; cleared by the next good read, so they are told once.
    stale_notified_at = models.DateTimeField(null=True, blank=True)
    # Raised whenever the busy intervals are replaced: what each process's merged copy of them is keyed on.
    busy_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"


class BusyInterval(models.Model):
    """When a partner's own calendar says they are busy: only the start and end, never what the event is."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_intervals")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(name="busy_interval_ends_after_start",
                                              condition=Q(ends_at__gt=F("starts_at")))]
        indexes = [
            # Used by free times and the booking re-check: one partner's intervals over a range.
            models.Index(fields=["person", "starts_at"], name="busy_interval_by_person"),
        ]

    def __str__(self):
        return f"busy {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class CalendarCopy(models.Model):
    """A conversation written to a partner's CalDAV calendar: what was last written (its sequence), or why not."""

    class State(models.TextChoices):
        WRITTEN = "written", "Written"
        REMOVED = "removed", "Removed"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="calendar_copies")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="copies")
    calendar_url = models.CharField(max_length=2000)
    state = models.CharField(max_length=20, choices=State.choices)
    sequence = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    attempted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "connection"], name="one_copy_per_calendar")]

    def __str__(self):
        return f"{self.conversation_id} in {self.connection_id}: {self.state}"
# --- Feedback from colleagues ----------------------------------------------------------------------------------


class FeedbackRequest(models.Model):
    """An employee asks colleagues for feedback on some of the article's areas, before a career conversation.

    The answers are the asker's alone. An anonymous request shows them together, without names, only once
    conversations.feedback.ANONYMOUS_THRESHOLD have arrived, so that no single answer can be told apart.
    """

    asker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_requests")
    areas = models.JSONField(default=list, help_text="The areas feedback is asked on (values of Area).")
    note = EncryptedTextField(blank=True, max_length=TEXT_LIMIT)
    answer_by = models.DateField(help_text="When the asker would like answers by.")
    expires_on = models.DateField(help_text="After this day nobody can answer any more.")
    anonymous = models.BooleanField(default=False)
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="feedback_requests")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="feedback_expires_after_answer_by",
                                   condition=Q(expires_on__gte=F("answer_by"))),
        ]

    def __str__(self):
        # Not the note: see ActionItem.__str__.
        return f"Feedback request {self.pk} of {self.asker}"

    def get_absolute_url(self):
        return reverse("conversations:feedback_request", args=[self.pk])


class FeedbackAnswer(FeedbackAreas):
    """One colleague's answer to a request: asked, then answered or declined. The text is a draft, seen by its
    author only, until it is submitted; afterwards it no longer changes."""

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="answers")
    # Empty once the colleague has been erased: the answer still counts, and no longer says whose it was.
    colleague = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="feedback_answers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    decline_reason = EncryptedCharField(max_length=500, blank=True)
    asked_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When it was answered or declined.")
    # The e-mail telling the colleague they were asked: an outbox (see conversations.feedback_outbox).
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "colleague"], name="feedback_asked_once_per_colleague"),
            models.CheckConstraint(name="feedback_submitted_when_answered",
                                   condition=Q(status="asked") | Q(submitted_at__isnull=False)),
        ]
        indexes = [
            # Used by the open-request limit and the colleague's reminders: what each person still has to answer.
            models.Index(fields=["colleague"], condition=Q(status="asked"), name="feedback_waiting_by_colleague"),
            # Used by the feedback outbox sweep: request e-mails not sent yet.
            models.Index(fields=["asked_at"], condition=Q(status="asked", emailed_at__isnull=True),
                         name="feedback_email_waiting"),
        ]

    def __str__(self):
        return f"Feedback answer {self.pk} to request {self.request_id}"

    def get_absolute_url(self):
        return reverse("conversations:feedback_answer", args=[self.pk])

    @property
    def is_submitted(self):
        return self.status != self.Status.ASKED


# --- Participation kept -------------------------------------------------------------------------------------------


class ParticipationSnapshot(models.Model):
    """One view of HR's participation dashboard as worked out at `worked_out_at` (participation/kept.py): counts
    only, never text, with the same suppression of small groups as the page."""

    # A preset's key ("12m") or "custom:<first day>:<last day>".
    view = models.CharField(max_length=40)
    timezone = models.CharField(max_length=64)
    # "all", or the department's id: a unique key where a null department would not be.
    scope = models.CharField(max_length=20)
    department = models.ForeignKey("people.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    worked_out_at = models.DateTimeField()
    # The change counter when the figures were worked out: a higher one now means they are behind.
    changes = models.BigIntegerField()
    took_ms = models.PositiveIntegerField()
    figures = models.JSONField()
    requested_at = models.DateTimeField(help_text="When someone last asked for this view; unused views are dropped.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["view", "timezone", "scope"], name="participation_view_once")]

    def __str__(self):
        return f"Participation {self.view} ({self.timezone}, {self.scope})"


class ParticipationKeeper(models.Model):
    """One row: which run is keeping the figures (one at a time), and where the database has no sequences
    (SQLite), the count of changes to the tables the figures read, kept by triggers."""

    running_since = models.DateTimeField(null=True, blank=True)
    changes = models.BigIntegerField(default=0)

    def __str__(self):
        return "Participation keeper"
