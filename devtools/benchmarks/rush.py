"""The evening rush: the production server (the Procfile's gunicorn command) on the generated organisation,
with N concurrent phones going through reps' evenings for a fixed time: open the visit form, post a visit, land on
Today, eight times for one rep (DESIGN.md's eight visits a day), then the next rep, as 5,000 reps do between 19:00 and
23:00. Afterwards every acknowledged visit (the server answered the post with its redirect) must be in
the database exactly once; each visit carries a note no other post has, so a lost or doubled one shows.

The floor, measured first on the same server by the same clients: the bare authenticated page (the notifications)
as fast as they can. An evening is three pages, so a third of that rate is the most visits/s any page could allow;
`ratio` is how many times slower than that floor the evening runs."""

import http.client
import os
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.db.models import Count
from django.test import override_settings

from core.models import Membership, Role, User
from core.sessions import SessionStore
from devtools.benchmarks import cpu
from devtools.generate import max_rss_megabytes
from devtools.organisation import organisation
from leads.models import Lead, LeadState
from visits.models import Visit

CLIENTS = int(os.environ.get("RUSH_CLIENTS", 50))
VISITS_PER_REP = 8
# Reps given a session before the evening: enough for 130 visits/s for a minute; past them the first come round again.
REPS_PREPARED = 1000
SECONDS = float(os.environ.get("RUSH_SECONDS", 60))
NOTE_PREFIX = "rush-"
BARE_PAGE = "/notifications/"
HOST = "localhost"


@dataclass
class Tally:
    latencies: dict = field(default_factory=lambda: {"form": [], "post": [], "today": [], "bare": []})
    acknowledged: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _server_environment() -> dict:
    """Production settings behind a TLS proxy, on the benchmark's database."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "BEHIND_TLS_PROXY": "true",
        "LOG_LEVEL": "WARNING",
    }
    if settings.DEBUG:  # a run from a development shell: the server still needs a production key
        environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def production_command(port: int) -> list[str]:
    """The web command of the Procfile (what `make run` and a production host start), bound to `port`."""
    procfile = Path(settings.BASE_DIR) / "Procfile"
    line = next(line for line in procfile.read_text().splitlines() if line.startswith("web:"))
    command = shlex.split(line.removeprefix("web:").replace("${WEB_PORT:-8000}", str(port)))
    command[0] = str(Path(settings.BASE_DIR) / command[0])
    return command


def _start_server(port: int, environment: dict) -> subprocess.Popen:
    manage = Path(settings.BASE_DIR) / "manage.py"
    subprocess.run(
        [sys.executable, manage, "collectstatic", "--no-input", "--verbosity", "0"], env=environment, check=True
    )
    log = Path(settings.VAR_DIR) / "rush-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # Its access log and any trace go to a file; the bench prints JSON only.
    with log.open("w") as log_file:
        server = subprocess.Popen(
            production_command(port), env=environment, cwd=settings.BASE_DIR, stdout=log_file, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up with exit code {server.returncode}; see {log}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz", headers={"Host": HOST})
            probe.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def _session_for(user: User) -> str:
    """A logged-in session made directly, as the login page would make it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "core.auth.MemberBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _reps_with_leads(count: int) -> list[tuple[str, list[int]]]:
    """The first `count` reps of the organisation (by team, then id), each with a session and their assigned leads."""
    memberships = (
        Membership.objects.filter(role=Role.REP, user__username__startswith="bench-")
        .select_related("user")
        .order_by("team_id", "user_id")[:count]
    )
    users = [membership.user for membership in memberships]
    leads = defaultdict(list)
    for owner_id, lead_id in (
        Lead.objects.filter(owner__in=users, state=LeadState.ASSIGNED).order_by("pk").values_list("owner_id", "pk")
    ):
        leads[owner_id].append(lead_id)
    return [(_session_for(user), leads[user.pk]) for user in users if leads[user.pk]]


class RepSupply:
    """The reps whose evenings the phones enter, handed out one at a time to whichever phone is free."""

    def __init__(self, reps: list[tuple[str, list[int]]]):
        self.reps = reps
        self.handed_out = 0
        self.lock = threading.Lock()

    def next_rep(self) -> tuple[str, list[int]]:
        with self.lock:
            rep = self.reps[self.handed_out % len(self.reps)]
            self.handed_out += 1
            return rep


class Rep:
    """One rep's phone: a keep-alive connection, the session and CSRF cookies, and their leads. Given a supply of
    reps, after each rep's eight visits the phone is the next rep's (a new session on a new connection)."""

    def __init__(
        self, number: int, port: int, session_key: str, lead_ids: list[int], connect=None, supply: RepSupply = None
    ):
        self.number = number
        self.port = port
        # How to reach the server: plain HTTP to gunicorn, or (the production check) HTTPS to nginx.
        self.connect = connect or (lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=30))
        self.supply = supply
        self.connection = None
        self._sign_in(session_key, lead_ids)

    def _sign_in(self, session_key: str, lead_ids: list[int]) -> None:
        self.lead_ids = lead_ids
        self.csrf = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token for the cookie
        self.headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": f"sessionid={session_key}; csrftoken={self.csrf}",
        }
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = dict(self.headers)
        if body is not None:
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"}
        if self.connection is None:
            self.connection = self.connect()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status, response.getheader("Location", "")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise

    def evening(self, stop_at: float, tally: Tally, lock: threading.Lock) -> None:
        visit_number = 0
        while time.monotonic() < stop_at:
            if self.supply is not None and visit_number % VISITS_PER_REP == 0:
                self._sign_in(*self.supply.next_rep())
            lead_id = self.lead_ids[visit_number % len(self.lead_ids)]
            note = f"{NOTE_PREFIX}{self.number}-{visit_number}"
            visit_number += 1
            body = urlencode(
                {
                    "csrfmiddlewaretoken": self.csrf,
                    "kind": "lead",
                    "lead": lead_id,
                    "mode": "in_person",
                    "person_met": "王总",
                    "person_role": "owner",
                    "outcome": "effective" if visit_number % 4 == 0 else "potential",
                    "next_step": "下周报价",
                    "notes": note,
                }
            )
            for step, method, path, payload, expected in (
                ("form", "GET", "/visits/new/", None, 200),
                ("post", "POST", "/visits/new/", body, 302),
                ("today", "GET", "/", None, 200),
            ):
                started = time.perf_counter()
                try:
                    status, location = self._request(method, path, payload)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        tally.errors[f"{step}: {type(error).__name__}"] += 1
                    break
                elapsed = time.perf_counter() - started
                with lock:
                    tally.latencies[step].append(elapsed)
                    if status != expected or (step == "post" and location != "/"):
                        tally.errors[f"{step}: {status}"] += 1
                        break
                    if step == "post":
                        tally.acknowledged.append(note)

    def bare_pages(self, stop_at: float, tally: Tally, lock: threading.Lock) -> None:
        """The floor: the bare authenticated page (what every page costs before its own work), again and again."""
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _location = self._request("GET", BARE_PAGE)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    tally.errors[f"bare: {type(error).__name__}"] += 1
                continue
            with lock:
                tally.latencies["bare"].append(time.perf_counter() - started)
                if status != 200:
                    tally.errors[f"bare: {status}"] += 1


def _run(phones: list[Rep], act, seconds: float, tally: Tally, lock: threading.Lock) -> float:
    """Every phone doing `act` at once for `seconds`; return the seconds it really took."""
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=act, args=(phone, stop_at, tally, lock)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _percentile(values: list[float], percent: int) -> float:
    return round(statistics.quantiles(values, n=100)[percent - 1] * 1000, 1) if len(values) > 1 else 0.0


def _capacity(cpu_spent: dict[str, float], visits: int, seconds: float) -> dict:
    """The evening's CPU by part, and what it means for machines of the server's own: a visit's cost in web and in
    database CPU, and the visits a second one web core would carry with nothing else on it."""
    if not cpu_spent or not visits:
        return {}
    return {
        "cpu_seconds": cpu_spent,
        "cores_busy": round(cpu_spent["machine"] / seconds, 2),
        "web_cpu_ms_per_visit": round(1000 * cpu_spent["web"] / visits, 1),
        "database_cpu_ms_per_visit": round(1000 * cpu_spent["database"] / visits, 1),
        "visits_per_second_per_web_core": round(visits / cpu_spent["web"], 1) if cpu_spent["web"] else None,
    }


def bench_rush(scale: float) -> dict:
    if connection.vendor != "postgresql":
        return {"rows": 0, "seconds": None, "skipped": "the rush needs PostgreSQL and gunicorn"}
    org = organisation(scale)
    environment = _server_environment()
    # The sessions are signed with the server's key, which is not this process's own when it runs with DEBUG on.
    with override_settings(SECRET_KEY=environment.get("SECRET_KEY", settings.SECRET_KEY)):
        reps = _reps_with_leads(max(CLIENTS, REPS_PREPARED))
    port = _free_port()
    server = _start_server(port, environment)
    tally, lock = Tally(), threading.Lock()
    try:
        supply = RepSupply(reps)
        phones = [Rep(number, port, key, leads, supply=supply) for number, (key, leads) in enumerate(reps[:CLIENTS])]
        floor_seconds = _run(phones, Rep.bare_pages, max(SECONDS / 4, 5), tally, lock)
        before = cpu.snapshot(server.pid)
        seconds = _run(phones, Rep.evening, SECONDS, tally, lock)
        cpu_spent = cpu.spent(before, cpu.snapshot(server.pid))
    finally:
        _stop_server(server)
    saved = Counter(
        dict(
            Visit.objects.filter(notes__startswith=NOTE_PREFIX)
            .values_list("notes")
            .annotate(copies=Count("pk"))
            .values_list("notes", "copies")
        )
    )
    lost = sum(1 for note in tally.acknowledged if note not in saved)
    doubled = sum(1 for copies in saved.values() if copies > 1)
    floor = tally.latencies.pop("bare")
    every_request = [latency for latencies in tally.latencies.values() for latency in latencies]
    # An evening is three pages: no visit rate can beat a third of the bare page's rate on the same server.
    floor_visits_per_second = len(floor) / floor_seconds / len(tally.latencies)
    figures = {
        "seconds": round(seconds, 1),
        "rows": org.leads,
        "reps": org.reps,
        "clients": len(phones),
        "reps_entered": supply.handed_out,
        "server": shlex.join(["gunicorn", *production_command(port)[1:]]),
        "requests_per_second": round(len(every_request) / seconds, 1),
        "visits_per_second": round(len(tally.acknowledged) / seconds, 1),
        "floor_visits_per_second": round(floor_visits_per_second, 1),
        "ratio": round(floor_visits_per_second / (len(tally.acknowledged) / seconds), 2),
        "bare_page_p95_milliseconds": _percentile(floor, 95),
        "p50_milliseconds": _percentile(every_request, 50),
        "p95_milliseconds": _percentile(every_request, 95),
        "p99_milliseconds": _percentile(every_request, 99),
        "p95_by_step": {step: _percentile(values, 95) for step, values in tally.latencies.items()},
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "acknowledged": len(tally.acknowledged),
        "lost": lost,
        "doubled": doubled,
        "saved_without_answer": len(saved.keys() - set(tally.acknowledged)),
        **_capacity(cpu_spent, len(tally.acknowledged), seconds),
        "max_rss_megabytes": max_rss_megabytes(),
    }
    if lost or doubled:
        raise AssertionError(f"{lost} acknowledged visits lost, {doubled} saved twice")
    if not tally.acknowledged:
        raise AssertionError(f"no visit was saved: {dict(tally.errors)}")
    return figures
