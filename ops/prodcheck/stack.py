"""Standing the production recipe up on this machine: the configuration files of deploy/ with this machine's
ports and paths, and the processes (each in a process group of its own, so it can be killed as a whole)."""

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
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
