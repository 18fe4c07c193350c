"""The broker dies under a request: the request still succeeds, and the mail goes out once the broker is back.

The test starts a Redis of its own, stops it, records a QC audit that notifies people, starts it again and lets a
real worker drain the mail outbox, as the minute job does after an outage.
"""

import shutil
import socket
import subprocess
import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from config.celery import app
from core.models import Notification
from core.notifications import mail_due_notifications_task
from core.tests.test_tasks import still_waiting
from leads.tests.factories import owned_lead
from qc.models import Sample, SampleStatus
from qc.services import draw_sample
from visits.services.entry import log_visit

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A Redis server this test starts and stops itself."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def use_broker(url: str) -> None:
    """Point the Celery app at `url`, dropping the connections it pooled for the old broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis():
    assert shutil.which("redis-server") or shutil.os.path.exists(REDIS_SERVER), "redis-server is needed"
    redis = OwnRedis()
    original = app.conf.broker_url
    redis.start()
    use_broker(redis.url)
    yield redis
    redis.stop()
    use_broker(original)


def test_an_audit_recorded_while_the_broker_is_down_succeeds_and_its_mail_goes_out_later(
    client, settings, own_redis, team, owner, manager, qc_user, time_machine
):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for user, address in ((owner, "owner@example.com"), (manager, "manager@example.com")):
        user.email = address
        user.save()
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    lead = owned_lead(team, owner, contact_name="赵老板", phone="13912340000")
    log_visit(actor=owner, lead=lead, values={"mode": "in_person", "person_role": "staff", "outcome": "potential"})
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    sample = Sample.objects.get()
    client.force_login(qc_user)

    own_redis.stop()
    response = client.post(
        reverse("qc:audit", args=[sample.pk]),
        {"outcome": "falsified", "notes": "客户说没人来过", "confirm_falsified": "on"},
    )

    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.status == SampleStatus.FALSIFIED
    assert Notification.objects.filter(is_mail_due=True).count() == 2
    assert mail.outbox == []

    own_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        mail_due_notifications_task.delay()  # what beat sends every minute
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and still_waiting(
            lambda: Notification.objects.filter(is_mail_due=True).exists()
        ):
            time.sleep(0.2)

    assert sorted(message.to[0] for message in mail.outbox) == ["manager@example.com", "owner@example.com"]
    assert not Notification.objects.filter(is_mail_due=True).exists()


def test_healthz_names_the_broker_when_it_is_down(client, settings, own_redis):
    from django.utils import timezone

    from core.models import Heartbeat

    settings.REDIS_URL = own_redis.url
    Heartbeat.objects.create(name="beat", last_run_at=timezone.now())
    assert client.get(reverse("healthz")).json()["status"] == "ok"

    own_redis.stop()
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error: ")
    assert response.json()["database"] == "ok"
