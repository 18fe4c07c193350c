from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Users, teams, roles, team policy, access and the team calendar: the floor every other app stands on."""

    name = "core"
    # The label the tables and migrations were created under; renaming it would rename every table.
    label = "crm"
    verbose_name = _("Organisation")
