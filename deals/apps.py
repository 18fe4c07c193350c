from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    """The pipeline: a deal walks from first contact to collected payment, each step backed by its evidence."""

    name = "deals"
    verbose_name = _("Pipeline")
