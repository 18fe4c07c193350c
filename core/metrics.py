"""Counters for /metrics in Prometheus's text format.

Request and job counters live in Redis when REDIS_URL is set (so every process adds to the same numbers), otherwise
in the process; the rest is read when scraped: job runs, the outbox, the Celery queue, the heartbeat. A Redis that is
down or slow loses counts, never a request: its calls give up after a fraction of a second.
"""

import logging
import threading
from collections import Counter
from functools import lru_cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
PREFIX = "metrics:"
COUNTERS = {
    "requests": ("crm_requests_total", "Requests answered, by status class"),
    "request_ms": ("crm_request_duration_milliseconds_total", "Time spent answering requests, by status class"),
    "reclaimed": ("crm_reclaimed_leads_total", "Leads taken back after a missed deadline"),
}
# Every request is counted: its counts must cost one round trip and no more than a blink when Redis hangs.
REDIS_TIMEOUT_SECONDS = 0.25
_in_process = Counter()
_in_process_lock = threading.Lock()


@lru_cache(maxsize=4)
def _redis_at(url: str) -> redis.Redis:
    # One client per process and URL: Django's cache builds a new client (and its table of reply parsers) on every
    # call, and its incr() asks whether the key exists first: four round trips a request instead of one.
    return redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS)


def _redis() -> redis.Redis | None:
    return _redis_at(settings.REDIS_URL) if settings.REDIS_URL else None


def _key(name: str, label: str) -> str:
    return f"{PREFIX}{name}:{label}"


def count(name: str, amount: int = 1, label: str = "") -> None:
    count_together({(name, label): amount})


def count_together(amounts: dict[tuple[str, str], int]) -> None:
    """Add to several counters, each given as (name, label), in one round trip."""
    client = _redis()
    if client is None:
        with _in_process_lock:
            for (name, label), amount in amounts.items():
                _in_process[_key(name, label)] += amount
        return
    try:
        pipeline = client.pipeline(transaction=False)
        for (name, label), amount in amounts.items():
            pipeline.incrby(_key(name, label), amount)
        pipeline.execute()
    except redis.RedisError:
        logger.debug("metrics counters %s not counted", sorted(amounts))


def _counter_values(name: str, labels) -> dict[str, int]:
    keys = {_key(name, label): label for label in labels}
    client = _redis()
    if client is None:
        with _in_process_lock:
            return {label: _in_process[key] for key, label in keys.items() if key in _in_process}
    try:
        found = client.mget(list(keys))
    except redis.RedisError:
        return {}
    return {label: int(value) for label, value in zip(keys.values(), found, strict=True) if value is not None}


def queue_length() -> int | None:
    client = _redis()
    if client is None:
        return None
    try:
        return client.llen("celery")
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
