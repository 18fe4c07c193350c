"""Runs a benchmark step in a fresh process, as a Celery worker would run it: Django set up from nothing, so the
peak memory measured is the step's own. Nothing Django-related is imported at the top, since the child process
imports this module before Django is set up."""

import importlib


def run(database: str, target: str, arguments: tuple, results) -> None:
    """Set Django up on `database` and put what `target` ("module:function") returns on the `results` queue."""
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database
    module, function = target.split(":")
    results.put(getattr(importlib.import_module(module), function)(*arguments))
