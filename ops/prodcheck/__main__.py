"""`make prod-check`: the production recipe of deploy/ stood up on this machine and put through its paces.

nginx (TLS with a self-signed certificate, HTTP/2) → two gunicorn nodes (the Procfile's production command) →
PgBouncer (transaction pooling) → PostgreSQL; two Celery workers and beat on Redis; production settings (DEBUG off,
secure cookies, HSTS). Then: (a) a smoke run through https, (b) the evening rush through nginx, (c) one app node
killed in the middle of it, (d) a worker killed during a reclaim while a second beat runs by mistake, (e) a backup
restored into a fresh database. A one-screen report; everything started is stopped, whatever happens.

Run as root (nginx and PgBouncer drop to other users), with PostgreSQL and Redis running locally.
"""

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from ops.prodcheck.checks import healthy, reclaim_under_faults, restore, rush, smoke
from ops.prodcheck.stack import Stack, environment, stand_up

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
                f"{figures['visits_per_second']} visits/s (floor {figures['floor_visits_per_second']}, ratio "
                f"{figures['ratio']}), {figures['requests_per_second']} req/s, "
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
