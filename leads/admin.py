from django.contrib import admin

from leads.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["company_name", "team", "state", "owner", "city", "industry", "priority"]
    list_filter = ["state", "team", "source", "industry"]
    search_fields = ["company_name", "contact_name", "phone"]
    raw_id_fields = ["owner"]
    list_select_related = ["team", "owner"]
