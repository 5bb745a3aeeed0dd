from django.contrib import admin
from django.utils import timezone

from people.models import Department, Invitation, Organisation, PeopleImport, Person
from people.signals import manager_changed, people_left


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "default_cadence_days", "notes_edit_days"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "department", "manager", "offers_conversations", "cadence_days", "is_active"]
    list_filter = ["is_active", "offers_conversations", "department"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "employee_id", "job_title"]
    list_select_related = ["user", "department", "manager__user"]
    autocomplete_fields = ["user", "manager", "department"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            people_left.send(sender=Person, person_ids=[obj.pk], now=timezone.now())
        if change and "manager" in form.changed_data:
            manager_changed.send(sender=Person, person_ids=[obj.pk])


@admin.register(PeopleImport)
class PeopleImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = ["file_name", "marks_leavers", "sends_invitations", "status", "preview", "result", "created_by",
                       "created_at", "queued_at", "started_at", "finished_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["person", "sent_at", "sent_by"]
    list_select_related = ["person__user", "sent_by"]
    search_fields = ["person__user__first_name", "person__user__last_name", "person__user__email"]
    readonly_fields = ["person", "sent_at", "sent_by"]
