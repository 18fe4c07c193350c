"""Counters for /metrics in Prometheus's text format.

Request and job counters live in the cache (Redis in production, so every process adds to the same numbers); the
rest is read when scraped: job runs, the outbox, the Celery queue, the heartbeat. A cache that is down loses counts,
never a request.
"""

import logging

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
PREFIX = "metrics:"
COUNTERS = {
    "requests": ("crm_requests_total", "Requests answered, by status class"),
    "request_ms": ("crm_request_duration_milliseconds_total", "Time spent answering requests, by status class"),
    "reclaimed": ("crm_reclaimed_leads_total", "Leads taken back after a missed deadline"),
}


def count(name: str, amount: int = 1, label: str = "") -> None:
    key = f"{PREFIX}{name}:{label}"
    try:
        # One round trip once the counter exists; the first count of a counter makes it (or, if another process
        # made it a moment before, adds to it).
        try:
            cache.incr(key, amount)
        except ValueError:
            if not cache.add(key, amount, timeout=None):
                cache.incr(key, amount)
    except Exception:
        logger.debug("metrics counter %s not counted", key)


def _counter_values(name: str, labels) -> dict[str, int]:
    keys = {f"{PREFIX}{name}:{label}": label for label in labels}
    try:
        found = cache.get_many(list(keys))
    except Exception:
        return {}
    return {keys[key]: value for key, value in found.items()}


def queue_length() -> int | None:
    if not settings.REDIS_URL:
        return None
    try:
        return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).llen("celery")
    except redis.RedisError:
        return None


STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")


def exposition(*, job_runs: list[dict], pending_messages: int, heartbeat_seconds: float | None) -> str:
    """The metrics page: HELP and TYPE lines, then the samples."""
    lines = []

    def family(name, kind, text, samples):
        lines.append(f"# HELP {name} {text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            shown = ",".join(f'{key}="{val}"' for key, val in labels.items())
            lines.append(f"{name}{{{shown}}} {value}" if shown else f"{name} {value}")

    for key in ("requests", "request_ms"):
        name, text = COUNTERS[key]
        values = _counter_values(key, STATUS_CLASSES)
        family(name, "counter", text, [({"status": status}, values.get(status, 0)) for status in STATUS_CLASSES])
    name, text = COUNTERS["reclaimed"]
    family(name, "counter", text, [({}, _counter_values("reclaimed", [""]).get("", 0))])
    family(
        "crm_job_runs_total",
        "counter",
        "Runs of each scheduled job kept in the run log, by outcome",
        [({"job": run["job"], "outcome": run["outcome"]}, run["runs"]) for run in job_runs],
    )
    family(
        "crm_job_last_run_timestamp_seconds",
        "gauge",
        "When each scheduled job last finished",
        [({"job": run["job"], "outcome": run["outcome"]}, run["last"]) for run in job_runs],
    )
    family(
        "crm_outbox_pending", "gauge", "Webhook and group-chat messages waiting to be sent", [({}, pending_messages)]
    )
    length = queue_length()
    if length is not None:
        family("crm_celery_queue_length", "gauge", "Tasks waiting in the Celery queue", [({"queue": "celery"}, length)])
    if heartbeat_seconds is not None:
        family(
            "crm_heartbeat_age_seconds",
            "gauge",
            "Seconds since beat's heartbeat job last ran",
            [({}, heartbeat_seconds)],
        )
    return "\n".join(lines) + "\n"
