from django.contrib import admin

from leads.models import Collision, Lead, LeadEvent, LeadImport
from leads.services.intake import lead_keys


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Browse and correct lead details; ownership and state change only through the app, which writes events."""

    list_display = ["company_name", "team", "state", "owner", "city", "industry", "priority"]
    list_filter = ["state", "team", "source"]
    search_fields = ["company_name", "contact_name", "phone"]
    list_select_related = ["team", "owner"]
    readonly_fields = [
        "team",
        "owner",
        "state",
        "assigned_at",
        "follow_up_deadline",
        "resolve_deadline",
        "last_follow_up_at",
        "private_since",
        "close_reason",
        "close_note",
    ]

    def has_add_permission(self, request):
        # Leads are added in the app, where the duplicate check, the team and the event come with them.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Corrected names and phones must still match their duplicates.
        for name, value in lead_keys(vars(obj)).items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)


@admin.register(Collision)
class CollisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company_name", "attempted_by", "lead", "owner", "source"]
    list_select_related = ["lead", "attempted_by", "owner"]
    readonly_fields = ["lead", "owner", "attempted_by", "company_name", "phone", "source"]

    def has_add_permission(self, request):
        return False


@admin.register(LeadImport)
class LeadImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "file_name", "team", "uploaded_by", "committed_at", "added_count"]
    exclude = ["content"]
    readonly_fields = ["team", "uploaded_by", "file_name", "encoding", "committed_at", "added_count"]

    def has_add_permission(self, request):
        return False


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    """Read-only: lead events are the history, and history is never rewritten."""

    list_display = ["created_at", "lead", "kind", "actor", "job", "from_state", "to_state", "from_owner", "to_owner"]
    list_filter = ["kind", "job"]
    search_fields = ["lead__company_name", "reason"]
    list_select_related = ["lead", "actor", "from_owner", "to_owner"]
    raw_id_fields = ["lead"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
