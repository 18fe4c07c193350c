from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    """What the CRM tells other systems: signed webhooks and group-chat messages, sent from an outbox.

    It stands just above core: the apps that change leads, visits and deals write to its outbox in their own
    transactions, and it knows nothing of them.
    """

    name = "hooks"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"
