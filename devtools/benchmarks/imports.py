"""The import of a manager's CSV file: upload, check, then commit into the team's public pool.

On PostgreSQL it runs in a fresh process, as the worker runs it, so the peak memory reported is the import's own
(with Django loaded), not the high-water mark of whatever the benchmark process did before.
"""

import csv
import multiprocessing
import tempfile
import time
from pathlib import Path

from django.db import connection

from core.models import Membership, Role, Team, User
from devtools import fresh_process
from devtools.generate import max_rss_megabytes
from leads.models import ImportStatus, Lead, LeadImport
from leads.services.transfer import check_import, commit_import, upload_import

IMPORT_ROWS = 100_000


def write_generated_csv(path: Path, rows: int) -> None:
    """Write a CSV as a manager's spreadsheet would hold it, every company and phone distinct, row by row."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(["公司名称", "联系人", "职务", "手机", "地址", "楼宇", "区", "城市", "行业", "优先级"])
        for number in range(rows):
            writer.writerow(
                [
                    f"杭州基准{number:07d}商贸有限公司",
                    "张经理",
                    "总经理",
                    f"13{number:09d}",
                    f"杭州市西湖区文三路{number % 999 + 1}号",
                    "华润大厦",
                    "西湖区",
                    "杭州市",
                    "零售",
                    number % 4,
                ]
            )


def _upload(team_id: int, manager_id: int, path: str) -> dict:
    """What the upload request does: read the file, refuse it or store it with its row count."""
    manager = User.objects.get(pk=manager_id)
    team = Team.objects.get(pk=team_id)
    started = time.perf_counter()
    raw = Path(path).read_bytes()  # as the upload view reads the file
    lead_import = upload_import(actor=manager, team=team, file_name="bench.csv", raw=raw)
    return {"id": lead_import.pk, "seconds": time.perf_counter() - started, "megabytes": max_rss_megabytes()}


def _check_and_commit(import_id: int, manager_id: int) -> dict:
    """What the worker does: check the stored file for the preview, then (the manager said yes) add its leads."""
    manager = User.objects.get(pk=manager_id)
    started = time.perf_counter()
    lead_import = LeadImport.objects.get(pk=import_id)
    check_import(lead_import=lead_import)
    checked = time.perf_counter()
    plan = commit_import(actor=manager, lead_import=lead_import)
    return {
        "check_seconds": checked - started,
        "commit_seconds": time.perf_counter() - checked,
        "added": plan.counts["to_add"],
        "megabytes": max_rss_megabytes(),
    }


def _in_fresh_process(function, *arguments) -> dict:
    """Run a step in a process of its own on PostgreSQL (as the web server and the worker each run theirs)."""
    if connection.vendor != "postgresql":
        return function(*arguments)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(
        target=fresh_process.run,
        args=(connection.settings_dict["NAME"], f"{__name__}:{function.__name__}", arguments, results),
    )
    process.start()
    process.join()
    if process.exitcode != 0:
        raise AssertionError(f"{function.__name__} failed in its process (exit code {process.exitcode})")
    return results.get(timeout=5)


def bench_import(scale: float) -> dict:
    """Time a manager's import of a generated CSV and measure the peak memory of the upload and of the worker."""
    rows = max(int(IMPORT_ROWS * scale), 1)
    team = Team.objects.create(name=f"bench-import-{time.time_ns()}")
    manager = User.objects.create(username=f"bench-manager-{team.pk}")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_generated_csv(path, rows)
        megabytes = path.stat().st_size / 1e6
        uploaded = _in_fresh_process(_upload, team.pk, manager.pk, str(path))
    worked = _in_fresh_process(_check_and_commit, uploaded["id"], manager.pk)
    added = Lead.objects.filter(team=team).count()
    imported = LeadImport.objects.get(team=team)
    if not (added == worked["added"] == imported.added_count == rows and imported.status == ImportStatus.IMPORTED):
        raise AssertionError(f"{added} of {rows} rows imported ({imported.status})")
    seconds = uploaded["seconds"] + worked["check_seconds"] + worked["commit_seconds"]
    return {
        "seconds": round(seconds, 3),
        "upload_seconds": round(uploaded["seconds"], 3),
        "check_seconds": round(worked["check_seconds"], 3),
        "commit_seconds": round(worked["commit_seconds"], 3),
        "rows": added,
        "file_megabytes": round(megabytes, 1),
        "upload_max_rss_megabytes": uploaded["megabytes"],
        "worker_max_rss_megabytes": worked["megabytes"],
        "max_rss_megabytes": max(uploaded["megabytes"], worked["megabytes"]),
    }
