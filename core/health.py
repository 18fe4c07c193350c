"""Is the installation well: the database answers, the broker answers, beat ran its heartbeat lately."""

from datetime import timedelta
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from core.models import Heartbeat


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"
    return None


def broker_problem() -> str | None:
    """Ask the Celery broker whether it is there: Redis answers a PING within a second, the file broker's folders
    exist and can be written."""
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        except redis.RedisError as error:
            return f"error: {error.__class__.__name__}"
        return None
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for folder in (options["data_folder_in"], options["processed_folder"], options["control_folder"]):
        path = Path(folder)
        if not (path.is_dir() and path.stat().st_mode & 0o200):
            return f"error: {path.name} folder missing or read-only"
    return None


def heartbeat_age(name: str = "beat") -> timedelta | None:
    """Return how long ago the periodic job `name` last ran, or None if it never has."""
    last_run_at = Heartbeat.objects.filter(name=name).values_list("last_run_at", flat=True).first()
    return None if last_run_at is None else timezone.now() - last_run_at
