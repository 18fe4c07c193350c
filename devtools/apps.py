from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """For developers and the sysadmin: the demo organisation, generated data, benchmarks and the translations."""

    name = "devtools"
    verbose_name = "Developer tools"
