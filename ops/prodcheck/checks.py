"""The checks of `make prod-check`: (a) the smoke run, (b) and (c) the rush with a node killed, (d) the reclaim under
faults, (e) the restore drill."""

import http.client
import re
import signal
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

from ops.prodcheck.stack import (
    BASE,
    OVERDUE_LEADS,
    PORTS,
    RUSH_CLIENTS,
    RUSH_SECONDS,
    SCALE,
    Stack,
    _beat_command,
    environment,
    wait_for,
)

# --- (a) the smoke run ----------------------------------------------------------------------------------------------


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person at https://localhost: cookies, CSRF tokens from the forms, no redirects followed."""

    def __init__(self, context: ssl.SSLContext):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context), NoRedirects()
        )

    def open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(BASE + path, data=body, headers={"Referer": BASE + "/", "Origin": BASE})
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:  # 3xx and errors alike: the status is what is checked
            return answer.code, dict(answer.headers), answer.read().decode(errors="replace")
        return response.status, dict(response.headers), response.read().decode(errors="replace")

    def form_token(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def sign_in(self, username: str) -> tuple[int, dict]:
        _status, _headers, page = self.open("/accounts/login/")
        from devtools.demo import DEMO_PASSWORD

        status, headers, _page = self.open(
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.form_token(page), "username": username, "password": DEMO_PASSWORD},
        )
        return status, headers


def http2_negotiated() -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", PORTS["https"]), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.selected_alpn_protocol() == "h2"


def healthy(context: ssl.SSLContext) -> tuple[str, bool, str]:
    """/healthz through nginx, once a worker has run beat's heartbeat."""
    from core.tasks import heartbeat_task

    heartbeat_task.delay()
    answer = ""

    def answered():
        nonlocal answer
        connection = http.client.HTTPSConnection("127.0.0.1", PORTS["https"], timeout=5, context=context)
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        response = connection.getresponse()
        answer = response.read().decode()
        return response.status == 200

    try:
        wait_for(answered, "/healthz", seconds=60)
    except RuntimeError:
        return ("/healthz through nginx", False, answer)
    return ("/healthz through nginx", True, answer)


def smoke(context: ssl.SSLContext) -> list[tuple[str, bool, str]]:
    checks = []
    plain = http.client.HTTPConnection("127.0.0.1", PORTS["http"], timeout=5)
    plain.request("GET", "/visits/new/", headers={"Host": "localhost"})
    answer = plain.getresponse()
    checks.append(("http redirects to https", answer.status == 301, answer.getheader("Location", "")))
    checks.append(("HTTP/2 offered over TLS", http2_negotiated(), "ALPN h2"))

    rep = Browser(context)
    status, headers = rep.sign_in("hz01")
    cookie = headers.get("Set-Cookie", "")
    checks.append(("rep signs in", status == 302, f"{status}"))
    checks.append(("HSTS and secure cookies", "Strict-Transport-Security" in headers and "Secure" in cookie, ""))
    _status, _headers, form = rep.open("/visits/new/")
    lead = re.search(r'<option value="(\d+)"', form)
    status, headers, _page = rep.open(
        "/visits/new/",
        {
            "csrfmiddlewaretoken": rep.form_token(form),
            "kind": "lead",
            "lead": lead.group(1) if lead else "",
            "mode": "in_person",
            "person_met": "王总",
            "person_role": "owner",
            "outcome": "effective",
            "next_step": "下周报价",
            "notes": "prod-check smoke",
        },
    )
    checks.append(("rep logs a visit", status == 302 and headers.get("Location") == "/", f"{status}"))
    _status, _headers, pool = rep.open("/leads/pool/")
    claim = re.search(r'action="(/leads/\d+/claim/)"', pool)
    status = rep.open(claim.group(1), {"csrfmiddlewaretoken": rep.form_token(pool)})[0] if claim else 0
    checks.append(("rep claims a lead from the pool", status == 302, f"{status}"))
    manager = Browser(context)
    manager.sign_in("manager1")
    status, _headers, _page = manager.open("/dashboard/")
    checks.append(("manager opens the dashboard", status == 200, f"{status}"))
    static = re.search(r'href="(/static/[^"]+\.css)"', _page or "")
    if static:
        _status, headers, _css = manager.open(static.group(1))
        long_cache = "max-age=31536000" in headers.get("Cache-Control", "")
        checks.append(("static files cached for a year by nginx", long_cache, static.group(1)))
    return checks


# --- (b), (c) the rush through nginx, a node killed in the middle ---------------------------------------------------


def rush(stack: Stack, context: ssl.SSLContext) -> dict:
    from django.db.models import Count

    from devtools.benchmarks.rush import NOTE_PREFIX, Rep, Tally, _percentile, _reps_with_leads
    from devtools.organisation import organisation
    from visits.models import Visit

    organisation(SCALE)
    reps = _reps_with_leads(RUSH_CLIENTS)

    def connect():
        return http.client.HTTPSConnection("127.0.0.1", PORTS["https"], timeout=30, context=context)

    phones = [Rep(number, PORTS["https"], key, leads, connect=connect) for number, (key, leads) in enumerate(reps)]
    tally, lock = Tally(), threading.Lock()
    # The floor on the same path (nginx, TLS, a node, PgBouncer): the bare authenticated page, as fast as it goes.
    floor_stop = time.monotonic() + 8
    floor_threads = [threading.Thread(target=Rep.bare_pages, args=(phone, floor_stop, tally, lock)) for phone in phones]
    floor_started = time.perf_counter()
    for thread in floor_threads:
        thread.start()
    for thread in floor_threads:
        thread.join()
    floor_pages_per_second = len(tally.latencies.pop("bare")) / (time.perf_counter() - floor_started)
    tally.latencies["bare"] = []
    stop_at = time.monotonic() + RUSH_SECONDS
    killed_at = RUSH_SECONDS * 0.4
    acknowledged_before_kill = []

    def kill_a_node():
        time.sleep(killed_at)
        with lock:
            acknowledged_before_kill.append(len(tally.acknowledged))
        stack.kill("node_a")

    threads = [threading.Thread(target=Rep.evening, args=(phone, stop_at, tally, lock)) for phone in phones]
    killer = threading.Thread(target=kill_a_node)
    started = time.perf_counter()
    for thread in [*threads, killer]:
        thread.start()
    for thread in [*threads, killer]:
        thread.join()
    seconds = time.perf_counter() - started
    saved = Counter(
        dict(
            Visit.objects.filter(notes__startswith=NOTE_PREFIX)
            .values_list("notes")
            .annotate(copies=Count("pk"))
            .values_list("notes", "copies")
        )
    )
    tally.latencies.pop("bare")
    every_request = [latency for latencies in tally.latencies.values() for latency in latencies]
    visits_per_second = len(tally.acknowledged) / seconds
    # An evening is three pages: a third of the bare page's rate is the most visits/s this path allows.
    floor = floor_pages_per_second / 3
    return {
        "floor_visits_per_second": round(floor, 1),
        "ratio": round(floor / visits_per_second, 2) if visits_per_second else None,
        "clients": len(phones),
        "seconds": round(seconds, 1),
        "visits_per_second": round(visits_per_second, 1),
        "requests_per_second": round(len(every_request) / seconds, 1),
        "p50_ms": _percentile(every_request, 50),
        "p95_ms": _percentile(every_request, 95),
        "p99_ms": _percentile(every_request, 99),
        "acknowledged": len(tally.acknowledged),
        "acknowledged_before_kill": acknowledged_before_kill[0] if acknowledged_before_kill else 0,
        "lost": sum(1 for note in tally.acknowledged if note not in saved),
        "doubled": sum(1 for copies in saved.values() if copies > 1),
        "errors": dict(tally.errors),
        "node_killed_after_seconds": round(killed_at, 1),
    }


# --- (d) a worker killed during a reclaim, and a second beat --------------------------------------------------------


def reclaim_under_faults(stack: Stack, work: Path) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from leads.models import EventKind, Lead, LeadEvent, LeadState
    from pools.tasks import reclaim_task

    now = timezone.now()
    overdue = list(
        Lead.objects.filter(state=LeadState.ASSIGNED, last_follow_up_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:OVERDUE_LEADS]
    )
    Lead.objects.filter(pk__in=overdue).update(follow_up_deadline=now - timedelta(hours=1))
    stack.start("beat2", _beat_command(work, 2), environment(work, through_pgbouncer=True))
    reclaim_task.delay()
    reclaim_task.delay()
    time.sleep(0.5)
    stack.kill("worker1")  # mid-reclaim: its transaction is rolled back when its connection drops

    def reclaimed():
        return Counter(
            LeadEvent.objects.filter(lead_id__in=overdue, kind=EventKind.RECLAIMED, created_at__gte=now).values_list(
                "lead_id", flat=True
            )
        )

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(reclaimed()) < len(overdue):
        reclaim_task.delay()  # what beat does every minute
        time.sleep(3)
    time.sleep(3)  # any run still going finishes, so a double move would show
    events = reclaimed()
    stack.kill("beat2", signal.SIGTERM)
    return {
        "overdue_leads": len(overdue),
        "reclaimed_once": sum(1 for lead in overdue if events.get(lead) == 1),
        "reclaimed_twice": sum(1 for count in events.values() if count > 1),
        "not_reclaimed": sum(1 for lead in overdue if lead not in events),
    }


# --- (e) the restore drill ------------------------------------------------------------------------------------------


def restore(work: Path) -> dict:
    from ops.backups import restore_drill, take_backup

    backup = take_backup(into=work / "backups")
    drill = restore_drill(backup.folder)
    return {
        "rows": sum(backup.manifest["counts"].values()),
        "dump_megabytes": round(backup.manifest["dump_bytes"] / 1e6, 1),
        "backup_seconds": backup.manifest["seconds"],
        "restore_seconds": drill.seconds,
        "counts_match": not drill.mismatched_tables,
        "checksum_matches": drill.checksum_matches,
        "files_match": drill.files_match,
    }
