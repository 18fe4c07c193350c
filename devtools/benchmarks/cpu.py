"""Where a load benchmark's CPU went, read from Linux's /proc: the web server's processes, PostgreSQL's, and the
clients' (this process). The load runs on the machine it measures, so the split says what the server alone would
serve on machines of its own."""

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


def _parent_and_seconds(pid: int) -> tuple[int, float] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process ended while the table was read
        return None
    # Fields after the command name (which may hold spaces): state, parent, ..., user time (12th), system time (13th).
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _command(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent working since boot (everything but idle and waiting for the disk)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal, *_rest = (
        int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Snapshot:
    web: dict[int, float]
    database: dict[int, float]
    clients: float
    machine: float


def snapshot(server_pid: int) -> Snapshot | None:
    """CPU seconds so far of the server and its workers, of each PostgreSQL process, of this process and of the
    machine; None where there is no /proc to read."""
    if not (PROC / "stat").exists():
        return None
    web, database = {}, {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        found = _parent_and_seconds(pid)
        if found is None:
            continue
        parent, seconds = found
        if server_pid in (pid, parent):
            web[pid] = seconds
        elif _command(pid) == "postgres":
            database[pid] = seconds
    times = os.times()
    return Snapshot(web, database, times.user + times.system, _machine_busy_seconds())


def spent(before: Snapshot | None, after: Snapshot | None) -> dict[str, float]:
    """CPU seconds each part spent between two snapshots (a process born in between counts from zero)."""
    if before is None or after is None:
        return {}

    def between(first: dict[int, float], last: dict[int, float]) -> float:
        return sum(seconds - first.get(pid, 0.0) for pid, seconds in last.items())

    return {
        "web": round(between(before.web, after.web), 2),
        "database": round(between(before.database, after.database), 2),
        "clients": round(after.clients - before.clients, 2),
        "machine": round(after.machine - before.machine, 2),
    }
