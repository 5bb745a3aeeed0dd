"""Admin for every model. Private content stays private here too: the text of preparations, notes, actions and
roadblocks is shown only to superusers, and private notes are not listed at all for anyone else."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils import timezone

from conversations import audit
from conversations.models import (
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
        if request.user.is_superuser:
            return super().get_exclude(request, obj)
        return list(self.text_fields)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return super().get_list_display(request)
        return [column for column in super().get_list_display(request) if column not in self.text_fields]

    def get_search_fields(self, request):
        # Searching a text a user may not read would tell them which records hold it.
        if request.user.is_superuser:
            return super().get_search_fields(request)
        return [field for field in super().get_search_fields(request) if field not in self.text_fields]

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
class ConversationAdmin(PrivateTextAdmin):
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
class PreparationAdmin(PrivateTextAdmin):
    audited = True
    list_display = ["conversation", "shared_at", "updated_at"]
    list_select_related = ["conversation__employee__user", "conversation__partner__user"]
    raw_id_fields = ["conversation"]
    # The topics and the aspiration are what the employee wants to talk about: as private as the text.
    text_fields = ("abilities", "roadblocks", "environment", "topics", "soft_skills", "technical_skills",
                   "peer_differentiators", "aspiration_direction", "aspiration_target", "aspiration_horizon")


@admin.register(Notes)
class NotesAdmin(PrivateTextAdmin):
    audited = True
    list_display = ["conversation", "author", "visibility", "updated_at"]
    list_filter = ["visibility"]
    raw_id_fields = ["conversation", "author"]
    text_fields = ("abilities", "roadblocks", "environment", "soft_skills", "technical_skills",
                   "peer_differentiators", "summary")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(visibility=Notes.Visibility.PRIVATE)


@admin.register(ActionItem)
class ActionItemAdmin(PrivateTextAdmin):
    list_display = ["text", "owner_kind", "owner", "due_on", "done_at"]
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
    raw_id_fields = ["recipient", "email"]
    readonly_fields = ["created_at"]
    list_select_related = ["recipient__user"]


@admin.register(Notification)
class NotificationAdmin(PrivateTextAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    raw_id_fields = ["recipient", "reminder"]
    # A notification quotes what it is about: an action's text, the reason a proposal was declined.
    text_fields = ("title", "body")


@admin.register(Roadblock)
class RoadblockAdmin(PrivateTextAdmin):
    # No __str__ column: it is the roadblock's text, which only superusers see.
    list_display = ["employee", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["employee__user"]
    raw_id_fields = ["employee", "raised_in", "created_by", "resolved_in"]
    text_fields = ("text",)


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["employee", "new_manager", "previous_manager", "decided_at"]
    list_select_related = ["employee__user", "new_manager__user", "previous_manager__user"]
    raw_id_fields = ["employee", "new_manager", "previous_manager", "notes", "actions"]
    readonly_fields = ["created_at"]


@admin.register(ReminderEmail)
class ReminderEmailAdmin(PrivateTextAdmin):
    list_display = ["recipient", "subject_line", "bundle_day", "status", "attempts", "next_attempt_at", "sent_at",
                    "last_error"]
    list_filter = ["status"]
    search_fields = ["recipient__user__last_name", "subject_line"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "claimed_at", "sent_at"]
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
