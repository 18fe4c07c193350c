"""`make prod-check`: the production recipe of deploy/ stood up on this machine and put through its paces.

nginx (TLS with a self-signed certificate, HTTP/2) → two gunicorn nodes (the Procfile's production command) →
PgBouncer (transaction pooling) → PostgreSQL; two Celery workers and beat on Redis; production settings (DEBUG off,
secure cookies, HSTS). Then: (a) a smoke run through https, (b) the evening rush through nginx, (c) one app node
killed in the middle of it, (d) a worker killed during a reclaim while a second beat runs by mistake, (e) a backup
restored into a fresh database. A one-screen report; everything started is stopped, whatever happens.

Run as root (nginx and PgBouncer drop to other users), with PostgreSQL and Redis running locally.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "crm_prodcheck"
PORTS = {"https": 18443, "http": 18080, "node_a": 18001, "node_b": 18002, "pgbouncer": 16432}
REDIS_URL = "redis://127.0.0.1:6379/13"
SCALE = float(os.environ.get("PRODCHECK_SCALE", "0.03"))
RUSH_SECONDS = float(os.environ.get("PRODCHECK_RUSH_SECONDS", "30"))
RUSH_CLIENTS = int(os.environ.get("PRODCHECK_CLIENTS", "40"))
OVERDUE_LEADS = int(os.environ.get("PRODCHECK_OVERDUE", "3000"))
BASE = f"https://localhost:{PORTS['https']}"


def environment(work: Path, *, through_pgbouncer: bool) -> dict:
    """The production environment of deploy/crm.env.example, pointed at this machine's parts."""
    port = PORTS["pgbouncer"] if through_pgbouncer else 5432
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": (work / "secret").read_text(),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": BASE,
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{DATABASE}",
        "DATABASE_POOLER": "pgbouncer" if through_pgbouncer else "",
        "BACKUP_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "METRICS_TOKEN": "prodcheck",
        "BACKUP_DIR": str(work / "backups"),
    }


class Stack:
    """The processes started for the check, each in its own process group (killed as a whole), logs in `work`."""

    def __init__(self, work: Path):
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)


def run(command: list[str], env: dict | None = None) -> None:
    subprocess.run(command, env=env or os.environ, cwd=ROOT, check=True, capture_output=True)


def wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- Standing it up -----------------------------------------------------------------------------------------------


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "cert.pem", work / "key.pem"
    run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ]
    )
    return cert, key


def pgbouncer_config(work: Path) -> Path:
    """deploy/pgbouncer/pgbouncer.ini with this machine's database, port and trust authentication."""
    text = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    text = text.replace("crm = host=127.0.0.1 port=5432 dbname=crm", f"{DATABASE} = host=127.0.0.1 port=5432")
    text = text.replace("listen_port = 6432", f"listen_port = {PORTS['pgbouncer']}")
    text = text.replace("auth_type = scram-sha-256", "auth_type = trust")
    text = text.replace("/etc/pgbouncer/userlist.txt", str(work / "userlist.txt"))
    text = text.replace("default_pool_size = 40", "default_pool_size = 20")
    text += f"logfile = {work / 'pgbouncer-own.log'}\npidfile = {work / 'pgbouncer.pid'}\n"
    (work / "userlist.txt").write_text('"postgres" ""\n')
    path = work / "pgbouncer.ini"
    path.write_text(text)
    return path


def nginx_config(work: Path, cert: Path, key: Path) -> Path:
    """deploy/nginx/crm.conf with this machine's ports, certificate and static folder, in a main file of its own."""
    site = (ROOT / "deploy" / "nginx" / "crm.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.MULTILINE)
    for old, new in (
        ("127.0.0.1:8001", f"127.0.0.1:{PORTS['node_a']}"),
        ("127.0.0.1:8002", f"127.0.0.1:{PORTS['node_b']}"),
        ("listen 443 ssl", f"listen 127.0.0.1:{PORTS['https']} ssl"),
        ("listen 80;", f"listen 127.0.0.1:{PORTS['http']};"),
        ("crm.example.com", "localhost"),
        ("/etc/ssl/crm/fullchain.pem", str(cert)),
        ("/etc/ssl/crm/privkey.pem", str(key)),
        ("/srv/crm/var/staticfiles/", f"{ROOT / 'var' / 'staticfiles'}/"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{PORTS['https']}$request_uri;"),
    ):
        site = site.replace(old, new)
    (work / "crm.conf").write_text(site)
    for folder in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / f"nginx-{folder}").mkdir(exist_ok=True)
    main = f"""
user root;
worker_processes 2;
pid {work / "nginx.pid"};
error_log {work / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {work / "nginx-access.log"};
    client_body_temp_path {work / "nginx-client"};
    proxy_temp_path {work / "nginx-proxy"};
    fastcgi_temp_path {work / "nginx-fastcgi"};
    uwsgi_temp_path {work / "nginx-uwsgi"};
    scgi_temp_path {work / "nginx-scgi"};
    include {work / "crm.conf"};
}}
"""
    path = work / "nginx.conf"
    path.write_text(main)
    return path


def stand_up(stack: Stack, work: Path) -> ssl.SSLContext:
    from devtools.benchmarks.rush import production_command

    direct = environment(work, through_pgbouncer=False)
    pooled = environment(work, through_pgbouncer=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    fresh_database()
    run([*manage, "migrate", "--no-input"], direct)
    run([*manage, "collectstatic", "--no-input", "--verbosity", "0"], direct)
    run([*manage, "seed_demo", "--if-empty"], direct)
    cert, key = certificate(work)
    os.chown(work, *_postgres_ids())
    stack.start("pgbouncer", ["pgbouncer", "-u", "postgres", str(pgbouncer_config(work))], direct)
    wait_for(lambda: port_open(PORTS["pgbouncer"]), "PgBouncer")
    for node in ("node_a", "node_b"):
        stack.start(node, production_command(PORTS[node]), pooled)
    for number in (1, 2):
        stack.start(
            f"worker{number}",
            [
                *(str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--hostname", f"w{number}@prodcheck"),
                *("--concurrency", "2", "--loglevel", "INFO", "--without-mingle", "--without-gossip"),
            ],
            pooled,
        )
    stack.start("beat", _beat_command(work, 1), pooled)
    stack.start("nginx", ["nginx", "-c", str(nginx_config(work, cert, key)), "-g", "daemon off;"], direct)
    context = ssl.create_default_context(cafile=str(cert))
    wait_for(lambda: port_open(PORTS["https"]), "nginx")
    wait_for(lambda: all(port_open(PORTS[node]) for node in ("node_a", "node_b")), "the app nodes")
    return context


def _beat_command(work: Path, number: int) -> list[str]:
    schedule = str(work / f"beat{number}-schedule")
    return [str(ROOT / ".venv/bin/celery"), "-A", "config", "beat", "--loglevel", "INFO", "--schedule", schedule]


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


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
    every_request = [latency for latencies in tally.latencies.values() for latency in latencies]
    return {
        "clients": len(phones),
        "seconds": round(seconds, 1),
        "visits_per_second": round(len(tally.acknowledged) / seconds, 1),
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


# --- The report -----------------------------------------------------------------------------------------------------


def main() -> int:
    if os.geteuid() != 0:
        print("prod-check runs as root: nginx and PgBouncer are started and drop to other users.")
        return 2
    work = Path(tempfile.mkdtemp(prefix="crm-prodcheck-"))
    os.chmod(work, 0o755)
    (work / "secret").write_text(secrets.token_urlsafe(60))
    os.environ.update(environment(work, through_pgbouncer=False))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    stack = Stack(work)
    results: list[tuple[str, bool, str]] = []
    started = time.monotonic()
    import django

    django.setup()
    try:
        context = stand_up(stack, work)
        results.append(("stood up", True, f"in {time.monotonic() - started:.0f} s"))
        results.append(healthy(context))
    except Exception as error:
        stack.stop_all()
        print(f"prod-check could not stand the installation up: {error}\nlogs: {work}")
        return 1
    try:
        results.extend(smoke(context))
        figures = rush(stack, context)
        results.append(
            (
                "rush through nginx",
                figures["acknowledged"] > 0 and figures["lost"] == 0 and figures["doubled"] == 0,
                f"{figures['visits_per_second']} visits/s, {figures['requests_per_second']} req/s, "
                f"p50/p95/p99 {figures['p50_ms']}/{figures['p95_ms']}/{figures['p99_ms']} ms, "
                f"{figures['clients']} clients, {figures['seconds']} s",
            )
        )
        in_flight = sum(figures["errors"].values())
        results.append(
            (
                "node killed mid-rush: nothing acknowledged lost or doubled",
                figures["lost"] == 0 and figures["doubled"] == 0 and in_flight <= figures["clients"],
                f"killed after {figures['node_killed_after_seconds']} s; {figures['acknowledged']} acknowledged "
                f"({figures['acknowledged_before_kill']} before), lost {figures['lost']}, doubled "
                f"{figures['doubled']}, failed in flight {in_flight} {figures['errors'] or ''}",
            )
        )
        reclaim = reclaim_under_faults(stack, work)
        results.append(
            (
                "worker killed mid-reclaim, second beat running",
                reclaim["reclaimed_once"] == reclaim["overdue_leads"] and not reclaim["reclaimed_twice"],
                f"{reclaim['overdue_leads']} overdue: {reclaim['reclaimed_once']} moved once, "
                f"{reclaim['reclaimed_twice']} twice, {reclaim['not_reclaimed']} not moved",
            )
        )
        drill = restore(work)
        results.append(
            (
                "backup restored into a fresh database",
                drill["counts_match"] and drill["checksum_matches"] and drill["files_match"],
                f"{drill['rows']} rows, {drill['dump_megabytes']} MB, backup {drill['backup_seconds']} s, "
                f"restore {drill['restore_seconds']} s, counts and lead-event checksum "
                f"{'match' if drill['counts_match'] and drill['checksum_matches'] else 'DIFFER'}",
            )
        )
    except Exception as error:
        results.append(("the check ran to its end", False, f"{type(error).__name__}: {error}"))
    finally:
        stack.stop_all()
    print(
        f"\nprod-check: nginx (TLS, HTTP/2) → 2 gunicorn nodes → PgBouncer → PostgreSQL; 2 workers + beat; logs {work}"
    )
    for name, passed, detail in results:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}" + (f": {detail}" if detail else ""))
    failed = sum(1 for _name, passed, _detail in results if not passed)
    print(f"{len(results) - failed} passed, {failed} failed, {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
