"""Every page a rep, a manager or QC opens daily, on the generated organisation: warm requests through the test
client with a real session. Each line has the median and p95, the number of queries, and `ratio`: the page's p95
over the p95 of a bare authenticated page (the notifications) requested in turn with it, so that both are timed in the
same stretch of the machine (its speed moves within the hour; a bare page timed minutes before set every page's
ratio by the moment it happened to be measured at)."""

import gc
import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.models import User
from devtools.generate import max_rss_megabytes
from devtools.organisation import organisation

WARM_UP = 3
# p95 is then between the 95th and 96th of 100: four stray pauses do not make it (of 40, the second slowest did).
REQUESTS = 100

# name: (who, url name, query or a function of the organisation giving (url args, query))
PAGES = {
    "bare": ("rep", "notifications", {}),
    "today": ("rep", "home", {}),
    "pool": ("rep", "pools:pool", {}),
    "pool_search": ("rep", "pools:pool", {"q": "星河"}),
    "pool_deep": ("rep", "pools:pool", {"page": "300"}),
    "mine": ("rep", "pools:mine", {}),
    "visit_form": ("rep", "visits:log", {}),
    "visits": ("rep", "visits:list", {}),
    "team_visits": ("manager", "visits:list", {}),
    "plan": ("rep", "visits:plan", {}),
    "lead": ("rep", "leads:detail", "lead"),
    "manager_home": ("manager", "home", {}),
    "team_leads": ("manager", "pools:team", {}),
    "team_leads_deep": ("manager", "pools:team", {"page": "300"}),
    "allocation": ("manager", "pools:allocation", {}),
    "meeting": ("manager", "reports:meeting", {}),
    "compliance": ("manager", "reports:compliance", {}),
    "dashboard": ("manager", "reports:dashboard", {}),
    "pipeline": ("manager", "deals:pipeline", {}),
    "pipeline_stage": ("manager", "deals:pipeline", {"stage": "new", "page": "5"}),
    "customers": ("manager", "deals:customers", {}),
    "collisions": ("manager", "leads:collisions", {}),
    "qc_queue": ("qc", "qc:queue", {}),
    "qc_draws": ("qc", "qc:draws", {}),
    "qc_report": ("qc", "qc:report", {}),
    "qc_coverage": ("qc", "qc:coverage", {}),
}


def _client(user_id: int) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(pk=user_id))
    return client


def _request(name: str, scale: float):
    """A function that opens page `name` as its user, warm."""
    org = organisation(scale)
    who, url_name, query = PAGES[name]
    user_id = {"rep": org.rep_id, "manager": org.manager_id, "qc": org.qc_id}[who]
    url = reverse(url_name, args=[org.lead_id]) if query == "lead" else reverse(url_name)
    query = {} if query == "lead" else query
    client = _client(user_id)
    secure = settings.SECURE_SSL_REDIRECT  # production settings send plain http to https

    def get():
        response = client.get(url, query, secure=secure)
        if response.status_code != 200:
            raise AssertionError(f"{name}: {url} answered {response.status_code}")
        return response

    for _ in range(WARM_UP):
        get()
    return get


def _figures(seconds: list[float]) -> dict:
    return {
        "median_milliseconds": round(statistics.median(seconds) * 1000, 1),
        "p95_milliseconds": round(statistics.quantiles(seconds, n=20)[18] * 1000, 1),
    }


def _measure(name: str, scale: float) -> dict:
    """The page's figures, and the bare page's from requests made in turn with the page's."""
    org = organisation(scale)
    pages = {"page": _request(name, scale), "bare": _request("bare", scale)}
    # The benchmark process holds the generated organisation's objects, which a web worker never does: set them
    # aside from the garbage collector so its full passes over them are not timed as the page's.
    gc.collect()
    gc.freeze()
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]):
        pages["page"]()
    seconds = {"page": [], "bare": []}
    for _ in range(REQUESTS):
        for which, get in pages.items():
            started = time.perf_counter()
            get()
            seconds[which].append(time.perf_counter() - started)
    return {
        **_figures(seconds["page"]),
        "queries": len(queries),
        "bare_p95_milliseconds": _figures(seconds["bare"])["p95_milliseconds"],
        "rows": org.leads,
        "reps": org.reps,
    }


def _page_benchmark(name: str):
    def run(scale: float) -> dict:
        if connection.vendor != "postgresql":
            return {"rows": 0, "seconds": None, "skipped": "the page benchmarks need PostgreSQL"}
        figures = _measure(name, scale)
        bare = figures.pop("bare_p95_milliseconds")
        return {
            **figures,
            "seconds": round(figures["p95_milliseconds"] / 1000, 4),
            "bare_p95_milliseconds": bare,
            "ratio": round(figures["p95_milliseconds"] / bare, 2) if bare else None,
            "max_rss_megabytes": max_rss_megabytes(),
        }

    run.__name__ = f"bench_page_{name}"
    return run


PAGE_BENCHMARKS = {f"page_{name}": _page_benchmark(name) for name in PAGES}
