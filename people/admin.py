from django.contrib import admin

from .models import Department, Organisation, Person


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
