import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError

from config.celery import app
from core.models import Heartbeat
from core.tasks import heartbeat_task


def test_the_beat_schedule_runs_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]

    assert entry["task"] == "core.tasks.heartbeat_task"
    assert entry["schedule"] == 60.0
    assert heartbeat_task.name in app.tasks


def test_the_heartbeat_task_records_its_run(db):
    heartbeat_task()

    assert Heartbeat.objects.filter(name="beat").exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_configured_broker_runs_the_heartbeat():
    if os.environ.get("CI", "").lower() == "true":
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI runs the worker on Redis"

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        heartbeat_task.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and still_waiting(lambda: not Heartbeat.objects.filter(name="beat").exists()):
            time.sleep(0.2)

    assert Heartbeat.objects.filter(name="beat").exists()


def still_waiting(condition) -> bool:
    """Check `condition`, counting a busy database as "not yet": in-memory SQLite locks tables while the worker
    thread writes."""
    try:
        return condition()
    except OperationalError:
        return True
