"""The import of a manager's CSV file: upload, check, then commit into the team's public pool.

On PostgreSQL it runs in a fresh process, as the worker runs it, so the peak memory reported is the import's own
(with Django loaded), not the high-water mark of whatever the benchmark process did before.
"""

import csv
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from django.db import connection

from core.models import Membership, Role, Team, User
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


def _import(team_id: int, manager_id: int, path: str) -> dict:
    manager = User.objects.get(pk=manager_id)
    team = Team.objects.get(pk=team_id)
    started = time.perf_counter()
    raw = Path(path).read_bytes()  # as the upload view reads the file
    lead_import = upload_import(actor=manager, team=team, file_name="bench.csv", raw=raw)
    del raw
    check_import(lead_import=lead_import)
    previewed = time.perf_counter()
    plan = commit_import(actor=manager, lead_import=lead_import)
    finished = time.perf_counter()
    return {
        "seconds": round(finished - started, 3),
        "preview_seconds": round(previewed - started, 3),
        "commit_seconds": round(finished - previewed, 3),
        "added": plan.counts["to_add"],
        "max_rss_megabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _import_in_fresh_process(database: str, team_id: int, manager_id: int, path: str, results) -> None:
    import django

    django.setup()
    from django.db import connection as fresh

    fresh.settings_dict["NAME"] = database
    results.put(_import(team_id, manager_id, path))


def bench_import(scale: float) -> dict:
    """Time a manager's import of a generated CSV and measure its peak memory."""
    rows = max(int(IMPORT_ROWS * scale), 1)
    team = Team.objects.create(name=f"bench-import-{time.time_ns()}")
    manager = User.objects.create(username=f"bench-manager-{team.pk}")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_generated_csv(path, rows)
        megabytes = path.stat().st_size / 1e6
        if connection.vendor == "postgresql":
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            worker = context.Process(
                target=_import_in_fresh_process,
                args=(connection.settings_dict["NAME"], team.pk, manager.pk, str(path), results),
            )
            worker.start()
            figures = results.get()
            worker.join()
        else:
            figures = _import(team.pk, manager.pk, str(path))
    added = Lead.objects.filter(team=team).count()
    imported = LeadImport.objects.get(team=team)
    if not (added == figures["added"] == imported.added_count == rows and imported.status == ImportStatus.IMPORTED):
        raise AssertionError(f"{added} of {rows} rows imported ({imported.status})")
    return {**figures, "rows": added, "file_megabytes": round(megabytes, 1)}
