"""Admin for every model. What people write stays private here too, for every administrator, superusers included:
the text of preparations, notes, reflections, change reasons, actions, roadblocks, notifications and reminder
e-mails is not shown, not editable, not searchable, not orderable, and not filterable through the URL. The records
that hold it are read-only, so that no one can move them (or a handover) to someone outside their audience."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from conversations import audit
from conversations.models import (
    FEEDBACK_AREA_FIELDS,
    ActionItem,
    AuditEvent,
    AvailabilitySettings,
    AvailabilityWindow,
    Conversation,
    DayOff,
    GuideQuestion,
    Handover,
    Notes,
    Notification,
    Preparation,
    Reminder,
    ReminderEmail,
    Roadblock,
)
from conversations.reminders import sending


class PrivateTextAdmin(admin.ModelAdmin):
    text_fields = ()
    # Preparations and notes opened here are recorded in the audit log, so that the employee sees it.
    audited = False

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *self.text_fields]

    def get_list_display(self, request):
        return [column for column in super().get_list_display(request) if column not in self.text_fields]

    def get_search_fields(self, request):
        # Searching a text would tell which records hold it.
        return [field for field in super().get_search_fields(request) if field.split(LOOKUP_SEP)[0]
                not in self.text_fields]

    def lookup_allowed(self, lookup, value, request):
        # ?roadblocks__startswith=… in the URL would let anyone guess a text character by character.
        if lookup.split(LOOKUP_SEP)[0] in self.text_fields:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_ordering(self, request):
        return [field for field in super().get_ordering(request) if field.lstrip("-") not in self.text_fields]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.audited and request.user.is_superuser and response.status_code in (200, 302):
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                changed = request.method == "POST" and response.status_code == 302
                audit.record_access(actor=request.user, conversation=obj.conversation, subject=obj,
                                    action=AuditEvent.Action.CHANGED if changed else AuditEvent.Action.VIEWED,
                                    now=timezone.now())
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that hold private text or lead to it: changing who they belong to would show it to someone else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AvailabilitySettings)
class AvailabilitySettingsAdmin(admin.ModelAdmin):
    list_display = ["person", "slot_minutes", "weeks_ahead", "min_notice_hours"]
    autocomplete_fields = ["person"]


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ["person", "weekday", "start_time", "end_time"]
    autocomplete_fields = ["person"]


@admin.register(DayOff)
class DayOffAdmin(admin.ModelAdmin):
    list_display = ["person", "date", "note"]
    autocomplete_fields = ["person"]


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    list_display = ["employee", "partner", "relation", "starts_at", "status", "kind"]
    list_filter = ["status", "kind", "relation"]
    search_fields = ["employee__user__last_name", "partner__user__last_name"]
    list_select_related = ["employee__user", "partner__user"]
    autocomplete_fields = ["employee", "partner", "booked_by", "cancelled_by"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    date_hierarchy = "starts_at"
    # The reason for a change may be personal ("I am interviewing elsewhere" when declining a proposal).
    text_fields = ("employee_reflection", "change_reason")


@admin.register(Preparation)
class PreparationAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    audited = True
    list_display = ["conversation", "shared_at", "updated_at"]
    list_select_related = ["conversation__employee__user", "conversation__partner__user"]
    raw_id_fields = ["conversation"]
    # The topics and the aspiration are what the employee wants to talk about: as private as the text.
    text_fields = (*FEEDBACK_AREA_FIELDS, "topics", "aspiration_direction", "aspiration_target", "aspiration_horizon")


@admin.register(Notes)
class NotesAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    audited = True
    list_display = ["conversation", "author", "visibility", "updated_at"]
    raw_id_fields = ["conversation", "author"]
    text_fields = (*FEEDBACK_AREA_FIELDS, "summary")

    def get_queryset(self, request):
        # Private notes are their author's alone: the admin does not list them.
        return super().get_queryset(request).exclude(visibility=Notes.Visibility.PRIVATE)


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    list_display = ["__str__", "owner_kind", "owner", "due_on", "done_at"]
    list_filter = ["owner_kind"]
    list_select_related = ["owner__user"]
    raw_id_fields = ["conversation", "owner", "created_by"]
    text_fields = ("text",)


@admin.register(GuideQuestion)
class GuideQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "area", "position", "is_active"]
    list_filter = ["area", "is_active"]
    list_editable = ["position", "is_active"]

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        # The change list shows its editable fields without labels: name each by its column.
        for name in self.list_editable:
            form.base_fields[name].widget.attrs["aria-label"] = form.base_fields[name].label
        return form


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "subject", "period", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__user__last_name", "subject"]
    # Changing who a reminder is for, or what it is about, would send another person's action to them.
    readonly_fields = ["kind", "recipient", "subject", "period", "email", "created_at"]
    list_select_related = ["recipient__user"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    list_display = ["__str__", "recipient", "created_at", "read_at", "emailed_at"]
    raw_id_fields = ["recipient", "reminder"]
    # A notification quotes what it is about: an action's text, the reason a proposal was declined.
    text_fields = ("title", "body")


@admin.register(Roadblock)
class RoadblockAdmin(ReadOnlyAdmin, PrivateTextAdmin):
    list_display = ["employee", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["employee__user"]
    raw_id_fields = ["employee", "raised_in", "created_by", "resolved_in"]
    text_fields = ("text",)


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["employee", "new_manager", "previous_manager", "decided_at"]
    list_select_related = ["employee__user", "new_manager__user", "previous_manager__user"]
    raw_id_fields = ["employee", "new_manager", "previous_manager", "notes", "actions"]
    readonly_fields = ["created_at"]


@admin.register(ReminderEmail)
class ReminderEmailAdmin(PrivateTextAdmin):
    list_display = ["recipient", "bundle_day", "status", "attempts", "next_attempt_at", "sent_at",
                    "last_error"]
    list_filter = ["status"]
    search_fields = ["recipient__user__last_name"]
    # Who it goes to is decided by the reminders it carries, never here.
    readonly_fields = ["recipient", "bundle_day", "created_at", "claimed_at", "sent_at"]
    list_select_related = ["recipient__user"]
    # The subject is the first reminder's title, which may quote an action's text.
    text_fields = ("subject_line",)
    actions = ["try_again"]

    @admin.action(description="Try the selected failed e-mails again")
    def try_again(self, request, queryset):
        count = sending.try_again(queryset, now=timezone.now())
        self.message_user(request, f"{count} e-mail(s) will be tried again by the next sweep.")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, and an administrator must not be able to edit or delete it."""

    list_display = ["at", "record", "action", "actor_role", "conversation"]
    list_filter = ["record", "action", "actor_role"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
