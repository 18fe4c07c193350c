"""Benchmarks of the lead operations that handle large data."""

import csv
import io
import resource
import time

from core.models import Membership, Role, Team, User
from leads.models import Lead
from leads.services.transfer import check_import, commit_import, upload_import

IMPORT_ROWS = 100_000


def generated_csv(rows: int) -> bytes:
    """Return a CSV as a manager's spreadsheet would hold it, every company and phone distinct."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
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
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def bench_import(scale: float) -> dict:
    """Time a manager's import of a generated CSV: preview, then commit into the team's public pool."""
    rows = max(int(IMPORT_ROWS * scale), 1)
    team = Team.objects.create(name=f"bench-import-{time.time_ns()}")
    manager = User.objects.create(username=f"bench-manager-{team.pk}")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    raw = generated_csv(rows)
    started = time.perf_counter()
    lead_import = upload_import(actor=manager, team=team, file_name="bench.csv", raw=raw)
    check_import(lead_import=lead_import)
    previewed = time.perf_counter()
    plan = commit_import(actor=manager, lead_import=lead_import)
    finished = time.perf_counter()
    added = Lead.objects.filter(team=team).count()
    assert added == len(plan.to_add) == rows, (added, len(plan.to_add), rows)
    return {
        "rows": added,
        "seconds": round(finished - started, 3),
        "preview_seconds": round(previewed - started, 3),
        "commit_seconds": round(finished - previewed, 3),
        "file_megabytes": round(len(raw) / 1e6, 1),
        "max_rss_megabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
