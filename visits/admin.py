from django.contrib import admin

from visits.models import DailyNote, Visit, VisitAmendment, VisitPlan


class VisitAmendmentInline(admin.TabularInline):
    model = VisitAmendment
    extra = 0
    can_delete = False
    readonly_fields = ["amended_by", "amended_at", "changes", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Read-only: visits change through the app only, as edits before the cut-off or amendments after it."""

    list_display = ["occurred_at", "company_name", "rep", "team", "mode", "outcome", "is_late", "is_voided"]
    list_filter = ["team", "mode", "outcome", "is_late", "is_voided", "is_cold"]
    search_fields = ["company_name", "rep__username", "rep__name"]
    list_select_related = ["rep", "team"]
    inlines = [VisitAmendmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ["day", "rep", "lead", "purpose"]
    raw_id_fields = ["lead"]


@admin.register(DailyNote)
class DailyNoteAdmin(admin.ModelAdmin):
    list_display = ["day", "rep", "win", "difficulty"]
