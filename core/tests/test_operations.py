"""What the operator sees: log lines with the request and user, /metrics, the scheduled jobs' runs."""

import io
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.jobs import recorded
from core.logs import JsonFormatter, RequestContextFilter
from core.middleware import RequestContextMiddleware
from core.models import JobRun
from core.tasks import heartbeat_task


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
