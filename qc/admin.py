from django.contrib import admin

from qc.models import Audit, Draw, Incident, Sample


class ReadOnlyAdmin(admin.ModelAdmin):
    """QC records are evidence: they are read here, never written or removed."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ["day", "team", "seed", "is_automatic", "candidates", "created_at"]
    list_filter = ["team", "is_automatic"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["visit", "draw", "status", "attempts", "completed_at"]
    list_filter = ["status"]
    raw_id_fields = ["visit", "draw"]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sample", "auditor", "outcome"]
    list_filter = ["outcome"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rep", "team", "visit"]
    list_filter = ["team"]
