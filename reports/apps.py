from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What managers and QC read: the morning overview, the evening meeting, weekly compliance, the dashboards."""

    name = "reports"
    verbose_name = _("Reports")
