"""What the operator sees: log lines with the request and user, /metrics, the scheduled jobs' runs."""

import io
import json
import logging
import socket
import time

import pytest
import redis
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.jobs import recorded
from core.logs import JsonFormatter, RequestContextFilter
from core.middleware import RequestContextMiddleware
from core.models import JobRun
from core.tasks import heartbeat_task
from core.tests.test_broker_faults import OwnRedis


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("crm.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_a_log_line_written_during_a_request_names_the_request_and_the_user(json_lines, owner):
    def view(request):
        logging.getLogger("crm.test").info("visit saved for %s", "杭州星河")
        return HttpResponse("ok")

    request = RequestFactory().get("/visits/new/", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    request._cached_user = owner  # the user as authentication left it on the request

    response = RequestContextMiddleware(view)(request)
    logging.getLogger("crm.test").info("after the request")

    during, after = json_lines()
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    assert (during["message"], during["request_id"], during["user_id"]) == (
        "visit saved for 杭州星河",
        "req-0123456789abcdef",
        owner.pk,
    )
    assert during["level"] == "INFO"
    assert (after["request_id"], after["user_id"]) == ("", None)


def test_a_request_without_a_usable_id_gets_one_of_its_own(client, db):
    first = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="bad id with spaces")
    second = client.get(reverse("healthz"))

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_metrics_need_their_token_and_count_requests_and_job_runs(client, settings, db):
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get(reverse("metrics")).status_code == 401
    heartbeat_task()
    client.get(reverse("healthz"))

    page = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer scrape-me")

    text = page.content.decode()
    assert page.status_code == 200
    assert "# TYPE crm_requests_total counter" in text
    assert 'crm_job_runs_total{job="heartbeat",outcome="ok"} 1' in text
    assert "crm_outbox_pending 0" in text
    assert "crm_heartbeat_age_seconds" in text
    requests = [line for line in text.splitlines() if line.startswith('crm_requests_total{status="2xx"}')]
    assert int(requests[0].split()[-1]) >= 1


def test_without_a_token_setting_there_are_no_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics")).status_code == 404


def test_a_failing_job_is_recorded_with_its_problem_and_still_fails(db):
    @recorded("reclaim")
    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        broken()

    run = JobRun.objects.get()
    assert (run.job, run.outcome, run.problem) == ("reclaim", "failed", "RuntimeError: database went away")


def test_the_admin_sees_the_last_run_of_every_job(client, admin_user, manager):
    heartbeat_task()
    JobRun.objects.create(
        job="reclaim",
        started_at="2026-11-30T10:00:00+08:00",
        finished_at="2026-11-30T10:00:02+08:00",
        outcome="failed",
        problem="OperationalError: server closed the connection",
    )
    client.force_login(manager)
    assert client.get(reverse("job_runs")).status_code == 403
    client.force_login(admin_user)

    page = client.get(reverse("job_runs")).content.decode()

    assert "heartbeat" in page
    assert "OperationalError: server closed the connection" in page
    assert "deliver-hooks" in page, "every job of the beat schedule is listed, even one that has not run"


def _scraped_requests(client) -> tuple[int, int]:
    text = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer scrape-me").content.decode()
    values = {line.split()[0]: int(line.split()[-1]) for line in text.splitlines() if not line.startswith("#")}
    return values['crm_requests_total{status="2xx"}'], values['crm_request_duration_milliseconds_total{status="2xx"}']


def test_every_answered_request_is_counted_once_with_its_time(client, settings, db):
    settings.METRICS_TOKEN = "scrape-me"
    requests_before, milliseconds_before = _scraped_requests(client)
    for _number in range(3):
        client.get(reverse("login"))

    requests_after, milliseconds_after = _scraped_requests(client)

    assert requests_after - requests_before == 4  # the three pages and the first scrape
    assert milliseconds_after >= milliseconds_before


def test_the_counts_go_to_the_shared_redis_in_one_number_per_counter(client, settings, db):
    own = OwnRedis()
    own.start()
    try:
        settings.REDIS_URL = own.url
        client.get(reverse("login"))
        client.get(reverse("login"))
        assert redis.Redis.from_url(own.url).get("metrics:requests:2xx") == b"2"
    finally:
        own.stop()


def test_a_redis_that_is_down_or_never_answers_loses_counts_but_not_the_page(client, settings, db):
    own = OwnRedis()
    own.start()
    settings.REDIS_URL = own.url
    own.stop()
    assert client.get(reverse("login")).status_code == 200

    with socket.socket() as silent:  # accepts the connection and never answers, as a hung server would
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()
        response = client.get(reverse("login"))
        waited = time.monotonic() - started

    assert response.status_code == 200
    assert waited < 5, f"the page waited {waited:.1f} s for the metrics counter"
