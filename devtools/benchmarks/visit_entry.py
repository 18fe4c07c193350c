"""The evening rush: every rep entering the day's eight visits through the view layer, each with a real session.

Its floor, in the same worker processes right after: the bare authenticated page (the notifications) requested as
many times as there were visits, at once in every worker; `ratio` is the visit rate's distance from it."""

import multiprocessing
import queue
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils import timezone

from core.models import Team, User
from core.policy import policy_for
from devtools.generate import create_leads, create_reps, max_rss_megabytes
from leads.models import Lead
from visits.models import Visit

REPS = 5_000
VISITS_PER_REP = 8


WORKERS = 2  # one per core, as gunicorn would run on this machine


BARE_PAGE = "notifications"


def _enter_visits(rep_leads, barrier, results):
    """In a worker process: log each rep in, wait for the start, then post every visit; report latencies."""
    if barrier is not None:
        connections.close_all()  # a forked process needs connections of its own
    # One application per worker process, as a gunicorn worker has: each test client would otherwise build the
    # middleware chain again on its first request (WhiteNoise reads the static files' index then, ~30 ms a rep).
    application = ClientHandler(enforce_csrf_checks=False)
    clients = []
    for rep_id, lead_ids in rep_leads:
        client = Client(HTTP_HOST="localhost")
        client.handler = application
        client.force_login(User.objects.get(pk=rep_id))
        clients.append((client, lead_ids))
    url = reverse("visits:log")
    latencies = []
    failures = 0
    if barrier is not None:
        barrier.wait()
    for number in range(VISITS_PER_REP):
        for client, lead_ids in clients:
            effective = number < 2
            data = {
                "kind": "lead",
                "lead": lead_ids[number],
                "mode": "in_person",
                "person_met": "王总",
                "person_role": "owner" if effective else "staff",
                "outcome": "effective" if effective else "potential",
                "next_step": "下周报价" if effective else "",
                "notes": "bench",
            }
            before = time.perf_counter()
            # Under production settings plain http is redirected to https: post as the browser would, over https.
            response = client.post(url, data, secure=settings.SECURE_SSL_REDIRECT)
            latencies.append(time.perf_counter() - before)
            failures += response.status_code != 302
    if barrier is not None:
        barrier.wait()  # the floor starts when every worker has entered its visits
    bare = reverse(BARE_PAGE)
    floor_started = time.perf_counter()
    for _number in range(VISITS_PER_REP):
        for client, _lead_ids in clients:
            failures += client.get(bare, secure=settings.SECURE_SSL_REDIRECT).status_code != 200
    results.put((latencies, failures, time.perf_counter() - floor_started))


def bench_visit_entry(scale: float) -> dict:
    reps = max(int(REPS * scale), 2)
    now = timezone.now()
    team = Team.objects.create(name=f"bench-visits-{time.time_ns()}")
    policy_for(team)
    create_reps(team, reps, now)
    create_leads(team, reps * VISITS_PER_REP, now, owned_by_reps=True, deadline=now + timedelta(hours=40))
    leads_of: dict[int, list[int]] = {}
    for lead_id, owner_id in Lead.objects.filter(team=team).order_by("pk").values_list("pk", "owner_id"):
        leads_of.setdefault(owner_id, []).append(lead_id)
    rep_leads = sorted(leads_of.items())
    if connection.vendor == "sqlite":
        # An in-memory test database cannot be shared with forked processes: enter the visits here, one by one.
        outcomes = queue.SimpleQueue()
        started = time.perf_counter()
        _enter_visits(rep_leads, None, outcomes)
        outcome = outcomes.get()
        seconds = time.perf_counter() - started - outcome[2]  # the floor ran after the visits
        return _figures(team, reps, 1, seconds, [outcome])
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS + 1)
    results = context.Queue()
    connections.close_all()
    workers = [
        context.Process(target=_enter_visits, args=(rep_leads[index::WORKERS], barrier, results))
        for index in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    barrier.wait()  # every worker has entered its visits
    seconds = time.perf_counter() - started
    outcomes = [results.get() for _worker in workers]
    for worker in workers:
        worker.join()
    return _figures(team, reps, WORKERS, seconds, outcomes)


def _figures(team, reps, workers, seconds, outcomes) -> dict:
    latencies = [latency for worker_latencies, _failures, _floor in outcomes for latency in worker_latencies]
    failures = sum(failures for _latencies, failures, _floor in outcomes)
    # The workers requested the bare page at once, as many times as they posted visits: the slowest one's time.
    floor_visits_per_second = reps * VISITS_PER_REP / max(floor for _latencies, _failures, floor in outcomes)
    saved = Visit.objects.filter(team=team).count()
    if failures or saved != reps * VISITS_PER_REP:
        raise AssertionError(f"{failures} failed entries, {saved} of {reps * VISITS_PER_REP} visits saved")
    return {
        "seconds": round(seconds, 3),
        "rows": saved,
        "reps": reps,
        "workers": workers,
        "visits_per_second": round(saved / seconds, 1),
        "floor_visits_per_second": round(floor_visits_per_second, 1),
        "ratio": round(floor_visits_per_second / (saved / seconds), 2),
        "p95_milliseconds": round(statistics.quantiles(latencies, n=20)[18] * 1000, 1),
        "max_rss_megabytes": max_rss_megabytes(),
    }
