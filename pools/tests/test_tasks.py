import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from config.celery import app
from leads.models import Lead, LeadState
from leads.tests.factories import owned_lead
from pools.tasks import allocate_due_teams_task, reclaim_task, remind_task


def test_the_beat_schedule_runs_reclaim_reminders_and_allocation_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["pools.tasks.reclaim_task"] == 60.0
    assert schedule["pools.tasks.remind_task"] == 60.0
    assert schedule["pools.tasks.allocate_due_teams_task"] == 60.0
    assert schedule["qc.tasks.draw_due_teams_task"] == 60.0
    for task in (reclaim_task, remind_task, allocate_due_teams_task):
        assert task.name in app.tasks


def test_the_reclaim_task_reclaims(owner, team):
    lead = owned_lead(team, owner, follow_up_deadline=timezone.now() - timedelta(minutes=1))

    assert reclaim_task() == {"to_colleagues": 0, "to_pool": 1}
    lead.refresh_from_db()
    assert lead.state == LeadState.PUBLIC


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_configured_broker_runs_the_reclaim(owner, team):
    if os.environ.get("CI", "").lower() == "true":
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI runs the worker on Redis"
    lead = owned_lead(team, owner, follow_up_deadline=timezone.now() - timedelta(minutes=1))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        reclaim_task.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and still_waiting(
            lambda: Lead.objects.get(pk=lead.pk).state != LeadState.PUBLIC
        ):
            time.sleep(0.2)

    assert Lead.objects.get(pk=lead.pk).state == LeadState.PUBLIC


def still_waiting(condition) -> bool:
    """Check `condition`, counting a busy database as "not yet": in-memory SQLite locks tables while the worker
    thread writes."""
    try:
        return condition()
    except OperationalError:
        return True
