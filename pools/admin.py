from django.contrib import admin

from pools.models import LeadEvent


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
