from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the installation: backups and their restore drill, the metrics page, the production check."""

    name = "ops"
    verbose_name = "Operations"
