"""Positions are kept only as long as the team says: older ones are erased, the visits and check-ins stay."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app
from core.policy import policy_for
from leads.tests.factories import owned_lead
from visits.models import CheckIn, Visit, VisitPhoto
from visits.services.entry import log_visit
from visits.services.evidence import add_photo, check_in, forget_old_positions
from visits.tasks import forget_old_positions_task
from visits.tests.test_photos import storefront, upload

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
HERE = ("30.2741", "120.1551", "15")


def visit_with_check_in(rep, team):
    lead = owned_lead(team, rep)
    check_in(actor=rep, lead_id=lead.pk, location=HERE)
    return log_visit(actor=rep, lead=lead, values=POTENTIAL).visit


def test_positions_older_than_the_retention_are_erased(team, owner, time_machine):
    policy = policy_for(team)
    policy.evidence_retention_days = 30
    policy.save()
    time_machine.move_to("2026-10-01 10:00:00+08:00", tick=False)
    old = visit_with_check_in(owner, team)
    picture = add_photo(actor=owner, visit=old, upload=upload(storefront()), kind="storefront")
    stored = picture.file.path
    time_machine.move_to("2026-10-20 10:00:00+08:00", tick=False)
    recent = visit_with_check_in(owner, team)

    time_machine.move_to("2026-10-31 10:00:00+08:00", tick=False)
    assert forget_old_positions() == 0  # day 30 of the oldest: still kept
    time_machine.move_to("2026-11-01 10:00:00+08:00", tick=False)
    assert forget_old_positions() == 3  # the old visit, its check-in and its photo

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.latitude, old.check_in.latitude) == (None, None)
    assert old.check_in.checked_in_at is not None  # the fact of the check-in stays
    assert recent.latitude is not None
    assert Visit.objects.count() == 2
    assert not VisitPhoto.objects.exists()
    assert not os.path.exists(stored)


def test_the_erasing_runs_hourly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["forget-positions"]

    assert entry["task"] == forget_old_positions_task.name
    assert forget_old_positions_task.name in app.tasks


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_erases_old_positions(team, owner, time_machine):
    time_machine.move_to("2026-01-05 10:00:00+08:00", tick=False)
    visit_with_check_in(owner, team)
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=True)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        forget_old_positions_task.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and CheckIn.objects.filter(latitude__isnull=False).exists():
            time.sleep(0.2)

    assert not CheckIn.objects.filter(latitude__isnull=False).exists()
    assert not Visit.objects.filter(latitude__isnull=False).exists()
