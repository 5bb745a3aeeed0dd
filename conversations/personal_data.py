"""Personal data: everything the product holds about a person, for them to download; and the erasure of a person
who left, which removes their text and identity but keeps the anonymous counts the participation figures need.

What "about a person" means is decided once, in `EXPORTED` and `NOT_EXPORTED` below: every model that refers to a
person or a user appears in one of them (a test walks the models and fails on one that does not), so that a
model added later cannot be forgotten by the export or the erasure.
"""

import io
import json
import re
import zipfile
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from conversations import audit, feedback
from conversations.models import (
    FEEDBACK_AREA_FIELDS,
    ActionItem,
    ActionUpdateRequest,
    AuditEvent,
    AvailabilitySettings,
    AvailabilityWindow,
    BusyInterval,
    CalendarConnection,
    Conversation,
    DayOff,
    FeedbackAnswer,
    FeedbackRequest,
    Handover,
    Notes,
    Notification,
    Preparation,
    Reminder,
    ReminderEmail,
    Roadblock,
)
from conversations.permissions import visible_notes
from people.models import Invitation, PeopleImport, Person, new_calendar_token

# Where each model that refers to a person ends up in the download.
EXPORTED = {
    "auth.user": "profile.json",
    "people.person": "profile.json",
    "conversations.conversation": "conversations.json",
    "conversations.preparation": "conversations.json (your own preparations)",
    "conversations.notes": "conversations.json (notes you wrote, and notes shared with you)",
    "conversations.actionitem": "conversations.json",
    "conversations.availabilitysettings": "availability.json",
    "conversations.availabilitywindow": "availability.json",
    "conversations.dayoff": "availability.json",
    "conversations.calendarconnection": "availability.json (your connected calendars; addresses and passwords "
                                        "are secrets and left out)",
    "conversations.busyinterval": "availability.json (the busy times read from your calendars)",
    "conversations.reminder": "reminders.json",
    "conversations.reminderemail": "reminders.json (the e-mails they went out in)",
    "conversations.notification": "notifications.json",
    "conversations.auditevent": "access_log.json",
    "axes.accesslog": "sign_ins.json",
    "axes.accessattempt": "sign_ins.json",
    "axes.accessfailurelog": "sign_ins.json",
    "people.invitation": "profile.json (when you were invited)",
    "conversations.roadblock": "follow_through.json (your roadblocks)",
    "conversations.handover": "follow_through.json (what you handed over to a new manager)",
    "conversations.actionupdaterequest": "follow_through.json (the updates you asked HR for)",
    "conversations.feedbackrequest": "feedback.json (feedback you asked for, and the answers you received)",
    "conversations.feedbackanswer": "feedback.json (feedback you gave, and feedback you received)",
}
# Models that refer to a person but hold nothing about them, and why.
NOT_EXPORTED = {
    "admin.logentry": "what an administrator did on the admin site, not data about the person",
    "people.department": "an organisational unit",
    "auth.group": "a role; the person's groups are listed in profile.json",
    "auth.permission": "a role's rights",
    "people.peopleimport": "a file HR uploaded, linked to who uploaded it; a person erased is erased from it too",
    "people.scimtoken": "a provisioning token for the identity provider, linked to the HR person who made it",
    "people.scimidentity": "the identity provider's own id for the person, kept only to match its calls to them",
}

ERASED_FIRST_NAME = "Former"
ERASED_LAST_NAME = "colleague"
ERASED_TEXT = "(erased)"

PREPARATION_TEXT = (*FEEDBACK_AREA_FIELDS, "aspiration_target")
NOTES_TEXT = (*FEEDBACK_AREA_FIELDS, "summary")

README = """Everything careerconv holds about {name}, downloaded on {now:%Y-%m-%d at %H:%M} UTC.

profile.json        your account, your place in the organisation and your preferences
conversations.json  every conversation you took part in, as employee or as partner, with your preparations, the
                    notes you wrote, the notes shared with you, and the actions agreed
availability.json   when you offer conversations, your days off, and your connected calendars with the busy
                    times read from them
reminders.json      the reminders decided for you
notifications.json  the messages shown to you in the app
access_log.json     who viewed or changed the preparation and notes of your conversations, and what you viewed
sign_ins.json       your sign-ins and failed sign-in attempts
follow_through.json your roadblocks across conversations, what you handed over to a new manager, and the updates
                    you asked HR for
feedback.json       feedback you asked colleagues for, what they answered, and feedback you gave

Times are in UTC (ISO 8601). Notes that another person keeps private are theirs and are not included.
"""


def _dump(data):
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _name(person):
    return person.name if person is not None else None


def _profile(person):
    user = person.user
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "employee_id": person.employee_id,
        "job_title": person.job_title,
        "department": person.department.name if person.department else None,
        "manager": _name(person.manager),
        "timezone": person.timezone,
        "start_date": person.start_date,
        "is_active": person.is_active,
        "left_on": person.left_on,
        "offers_conversations": person.offers_conversations,
        "cadence_days": person.cadence_days,
        "reminders": {
            "due_soon": person.remind_due_soon,
            "overdue": person.remind_overdue,
            "upcoming": person.remind_upcoming,
            "notes": person.remind_notes,
            "actions": person.remind_actions,
            "weekly_digest": person.weekly_digest,
        },
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "invited_at": list(Invitation.objects.filter(person=person).order_by("sent_at")
                           .values_list("sent_at", flat=True)),
    }


def _fields(obj, names):
    return {name: getattr(obj, name) for name in names}


def _conversations(person):
    notes_by_conversation = {}
    for notes in visible_notes(person.user).select_related("author__user").order_by("pk"):
        notes_by_conversation.setdefault(notes.conversation_id, []).append(notes)
    actions_by_conversation = {}
    for action in ActionItem.objects.filter(conversation__in=Conversation.objects.involving(person)).select_related(
        "owner__user"
    ).order_by("pk"):
        actions_by_conversation.setdefault(action.conversation_id, []).append(action)
    preparations = {
        preparation.conversation_id: preparation
        for preparation in Preparation.objects.filter(conversation__employee=person)
    }
    result = []
    conversations = Conversation.objects.involving(person).select_related(
        "employee__user", "partner__user", "booked_by__user", "cancelled_by__user"
    ).order_by("starts_at", "pk")
    for conversation in conversations:
        as_employee = conversation.employee_id == person.pk
        row = {
            "my_role": "employee" if as_employee else "partner",
            "with": _name(conversation.partner if as_employee else conversation.employee),
            "relation": conversation.get_relation_display(),
            **_fields(conversation, ("starts_at", "ends_at", "location", "status", "kind", "uid", "sequence",
                                     "cancelled_at", "change_reason", "held_at", "notes_locked_at",
                                     "notes_acknowledged_at", "created_at", "updated_at")),
            "booked_by": _name(conversation.booked_by),
            "cancelled_by": _name(conversation.cancelled_by),
            "employee_reflection": conversation.employee_reflection,
        }
        preparation = preparations.get(conversation.pk)
        if as_employee and preparation is not None:
            row["preparation"] = _fields(preparation, PREPARATION_TEXT + (
                "topics", "aspiration_direction", "aspiration_horizon", "shared_at", "created_at", "updated_at"))
        row["notes"] = [
            {"author": _name(notes.author), "visibility": notes.visibility,
             **_fields(notes, NOTES_TEXT + ("created_at", "updated_at"))}
            for notes in notes_by_conversation.get(conversation.pk, [])
        ]
        row["actions"] = [
            {"text": action.text, "owner_kind": action.owner_kind, "owner": _name(action.owner),
             **_fields(action, ("due_on", "done_at", "created_at"))}
            for action in actions_by_conversation.get(conversation.pk, [])
        ]
        result.append(row)
    return result


def _availability(person):
    settings_row = AvailabilitySettings.objects.filter(person=person).first()
    return {
        "settings": _fields(settings_row, ("slot_minutes", "weeks_ahead", "min_notice_hours"))
        if settings_row else None,
        "weekly_windows": [
            {"weekday": window.get_weekday_display(), "start": window.start_time, "end": window.end_time}
            for window in AvailabilityWindow.objects.filter(person=person)
        ],
        "days_off": [{"date": day.date, "note": day.note} for day in DayOff.objects.filter(person=person)],
        "timezone": person.timezone,
        "calendars": [
            {"label": connection.label, "kind": connection.get_kind_display(), "connected_at": connection.created_at,
             "last_read_at": connection.last_success_at,
             "busy_times": [{"start": start, "end": end} for start, end in
                            connection.busy_intervals.order_by("starts_at").values_list("starts_at", "ends_at")]}
            for connection in CalendarConnection.objects.filter(person=person)
        ],
    }


def _reminders(person):
    return {
        "reminders": [
            _fields(reminder, ("kind", "subject", "period", "status", "not_before", "attempts", "sent_at",
                               "created_at"))
            for reminder in Reminder.objects.filter(recipient=person).order_by("created_at", "pk")
        ],
        "emails": [
            _fields(email, ("subject_line", "status", "attempts", "sent_at", "created_at"))
            for email in ReminderEmail.objects.filter(recipient=person).order_by("created_at", "pk")
        ],
    }


def _notifications(person):
    return [
        _fields(notification, ("title", "body", "url", "created_at", "read_at", "emailed_at"))
        for notification in Notification.objects.filter(recipient=person).order_by("created_at", "pk")
    ]


def _event(event):
    actor_person = getattr(event.actor, "person", None) if event.actor else None
    return {
        "at": event.at,
        "who": _name(actor_person) or (event.actor.get_username() if event.actor else None),
        "role": event.actor_role,
        "record": event.record,
        "action": event.action,
        "conversation_starts_at": event.conversation.starts_at if event.conversation else None,
    }


def _access_log(person):
    mine = AuditEvent.objects.filter(actor=person.user).select_related("conversation").order_by("at", "pk")
    return {
        "accesses_to_my_records": [_event(event) for event in audit.accesses_to_records_of(person).order_by("at")],
        "my_accesses": [_event(event) for event in mine],
    }


def _follow_through(person):
    roadblocks = Roadblock.objects.filter(employee=person).prefetch_related("raised_in").order_by("created_at", "pk")
    handovers = (Handover.objects.filter(employee=person).select_related("new_manager__user")
                 .annotate(notes_count=Count("notes", distinct=True), actions_count=Count("actions", distinct=True))
                 .order_by("created_at", "pk"))
    return {
        "roadblocks": [
            {"text": roadblock.text, "created_at": roadblock.created_at, "resolved_at": roadblock.resolved_at,
             "raised_in_conversations_starting": sorted(c.starts_at for c in roadblock.raised_in.all())}
            for roadblock in roadblocks
        ],
        "handovers": [
            {"to": _name(handover.new_manager), "decided_at": handover.decided_at,
             "shared_notes_handed_over": handover.notes_count, "actions_handed_over": handover.actions_count}
            for handover in handovers
        ],
        "updates_asked_for": [
            {"action": request.action.text, "asked_at": request.asked_at, "answered_at": request.answered_at}
            for request in ActionUpdateRequest.objects.filter(asked_by=person).select_related("action")
        ],
    }


def _sign_ins(person):
    username = person.user.get_username()
    base = ("attempt_time", "ip_address", "user_agent", "path_info")
    return {
        "sign_ins": [_fields(row, base + ("logout_time",)) for row in AccessLog.objects.filter(username=username)],
        "failed_attempts": [_fields(row, base + ("failures_since_start",))
                            for row in AccessAttempt.objects.filter(username=username)],
        "failures": [_fields(row, base + ("locked_out",))
                     for row in AccessFailureLog.objects.filter(username=username)],
    }


def _answer_fields(answer, request):
    """An answer as its asker may read it: without the colleague's name on an anonymous request."""
    row = _fields(answer, ("status", "asked_at", "submitted_at", *request.areas))
    row["colleague"] = None if request.anonymous or answer.colleague is None else answer.colleague.name
    return row


def _feedback(person):
    received = []
    for request in FeedbackRequest.objects.filter(asker=person).prefetch_related("answers__colleague__user"):
        answers = list(request.answers.all())
        answered = [answer for answer in answers if answer.status == FeedbackAnswer.Status.ANSWERED]
        # Held back as on the request's page, until enough have answered for none to be told apart.
        shown = [] if request.anonymous and len(answered) < feedback.ANONYMOUS_THRESHOLD else answered
        received.append({**_fields(request, ("created_at", "areas", "note", "answer_by", "expires_on", "anonymous",
                                             "closed_at")),
                         "asked": len(answers), "answered": len(answered),
                         "answers": [_answer_fields(answer, request) for answer in shown]})
    given = [{"asker": answer.request.asker.name,
              **_fields(answer, ("status", "asked_at", "submitted_at", "decline_reason", *answer.request.areas))}
             for answer in FeedbackAnswer.objects.filter(colleague=person).select_related("request__asker__user")]
    return {"asked_for": received, "given": given}


def export_personal_data(*, person, now):
    """A ZIP of JSON files holding everything about `person` (see README above), for them to download; the
    download is recorded in the audit log. Returns its bytes."""
    files = {
        "README.txt": README.format(name=person.name, now=now),
        "profile.json": _dump(_profile(person)),
        "conversations.json": _dump(_conversations(person)),
        "availability.json": _dump(_availability(person)),
        "reminders.json": _dump(_reminders(person)),
        "notifications.json": _dump(_notifications(person)),
        "access_log.json": _dump(_access_log(person)),
        "sign_ins.json": _dump(_sign_ins(person)),
        "follow_through.json": _dump(_follow_through(person)),
        "feedback.json": _dump(_feedback(person)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, content in files.items():
            archive.writestr(filename, content)
    audit.record_personal_data(actor=person, person=person, action=AuditEvent.Action.EXPORTED, now=now)
    return buffer.getvalue()


# --- Erasure ---------------------------------------------------------------------------------------------------


class ErasureRefused(Exception):
    pass


def is_erased(person):
    return AuditEvent.objects.filter(subject=person, record=AuditEvent.Record.PERSONAL_DATA,
                                     action=AuditEvent.Action.ERASED).exists()


def leavers():
    """People who left, with whether they have been erased, for HR's list."""
    erased = AuditEvent.objects.filter(subject=OuterRef("pk"), record=AuditEvent.Record.PERSONAL_DATA,
                                       action=AuditEvent.Action.ERASED)
    return (Person.objects.filter(is_active=False).annotate(erased=Exists(erased))
            .select_related("user", "department").order_by("erased", "-left_on", "pk"))


def _scrubbed(value, tokens):
    if isinstance(value, str):
        for token in tokens:
            # Whole tokens only: erasing employee id "17" must leave "170" and "17 people" alone.
            value = re.sub(rf"(?<![\w@.-]){re.escape(token)}(?![\w@.-])", ERASED_TEXT, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, tokens) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, tokens) for key, item in value.items()}
    return value


def _scrub_imports(*, tokens):
    """People files HR uploaded name the person in their previews, results and (until imported) their text."""
    for people_import in PeopleImport.objects.all():
        fields = {name: _scrubbed(getattr(people_import, name), tokens) for name in ("content", "preview", "result")}
        if any(fields[name] != getattr(people_import, name) for name in fields):
            PeopleImport.objects.filter(pk=people_import.pk).update(**fields)


@dataclass(frozen=True)
class Erasure:
    conversations: int
    preparations: int
    notes: int
    actions: int
    deleted_rows: int


def erase_person(*, person, erased_by, now):
    """Erase a person who left: their identity and every text about them or kept only by them.

    Kept, so that the participation figures stay as they were: the person's row (department, manager, cadence,
    when they left), their conversations' dates, statuses, kinds and relations, whether a preparation was shared,
    its topics and aspiration direction, which notes exist, and the actions' owners, due dates and completion.
    Kept too, because they belong to someone else: shared notes the person wrote on other people's conversations.
    """
    if person.is_active:
        raise ErasureRefused("Only a person who has left can be erased: mark them as left first.")
    if is_erased(person):
        raise ErasureRefused("This person has already been erased.")
    if erased_by.pk == person.user_id:
        raise ErasureRefused("You cannot erase yourself.")

    with transaction.atomic():
        user = person.user
        old_username, old_email, old_name, old_employee_id = (user.get_username(), user.email, person.name,
                                                               person.employee_id)
        user.username = f"erased-{person.pk}"
        user.first_name, user.last_name, user.email = ERASED_FIRST_NAME, ERASED_LAST_NAME, ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.last_login = None
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()

        person.employee_id = None
        person.job_title = ""
        person.start_date = None
        person.timezone = settings.DEFAULT_PERSON_TIMEZONE
        person.offers_conversations = False
        person.calendar_token = new_calendar_token()
        person.save()

        as_employee = Conversation.objects.filter(employee=person)
        conversations = Conversation.objects.involving(person).update(location="", change_reason="")
        as_employee.update(employee_reflection="")
        preparations = Preparation.objects.filter(conversation__employee=person).update(
            **dict.fromkeys(PREPARATION_TEXT, ""))
        notes = Notes.objects.filter(
            Q(conversation__employee=person) | Q(author=person, visibility=Notes.Visibility.PRIVATE)
        ).update(**dict.fromkeys(NOTES_TEXT, ""))
        actions = ActionItem.objects.filter(conversation__employee=person).update(text=ERASED_TEXT)
        Roadblock.objects.filter(employee=person).update(text=ERASED_TEXT)
        # Feedback they gave loses its text and who gave it; feedback about them loses its text. Both still count.
        FeedbackAnswer.objects.filter(colleague=person).update(colleague=None, decline_reason="",
                                                               **dict.fromkeys(FEEDBACK_AREA_FIELDS, ""))
        FeedbackRequest.objects.filter(asker=person).update(note="")
        FeedbackAnswer.objects.filter(request__asker=person).update(decline_reason="",
                                                                    **dict.fromkeys(FEEDBACK_AREA_FIELDS, ""))

        _scrub_imports(tokens=[token for token in (old_email, old_name, old_employee_id) if token])
        deleted = 0
        for queryset in (
            Invitation.objects.filter(person=person),
            ActionUpdateRequest.objects.filter(asked_by=person),
            Notification.objects.filter(recipient=person),
            Reminder.objects.filter(recipient=person),
            ReminderEmail.objects.filter(recipient=person),
            DayOff.objects.filter(person=person),
            AvailabilityWindow.objects.filter(person=person),
            AvailabilitySettings.objects.filter(person=person),
            BusyInterval.objects.filter(person=person),
            CalendarConnection.objects.filter(person=person),
            AccessLog.objects.filter(username=old_username),
            AccessAttempt.objects.filter(username=old_username),
            AccessFailureLog.objects.filter(username=old_username),
        ):
            deleted += queryset.delete()[0]

        # What they did stays counted; who did it goes.
        AuditEvent.objects.filter(actor=user).update(actor=None)
        # The admin's history names the objects it changed: rename the entries about this person.
        for model, pk, label in ((Person, person.pk, person.name), (type(user), user.pk, user.get_username())):
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                    object_id=str(pk)).update(object_repr=label, change_message="")

        audit.record_personal_data(actor=erased_by, person=person, action=AuditEvent.Action.ERASED, now=now)
    return Erasure(conversations=conversations, preparations=preparations, notes=notes, actions=actions,
                   deleted_rows=deleted)
