"""The benchmark registry behind `manage.py bench`: each benchmark builds its own data and returns its figures.

A benchmark is a function (scale) -> dict with at least "rows" and "seconds". Benchmarks of one family share the
data they build (the pages and the rush one generated organisation, the dashboard charts one team); each family runs
in a database of its own, so the millions of rows one family leaves behind never change the plans, the caches or the
vacuuming another family is measured with.
"""

from devtools.benchmarks import dashboards
from devtools.benchmarks.dashboards import DASHBOARD_BENCHMARKS
from devtools.benchmarks.growth import bench_growth
from devtools.benchmarks.imports import bench_import
from devtools.benchmarks.pages import PAGE_BENCHMARKS
from devtools.benchmarks.pools import bench_allocate, bench_reclaim
from devtools.benchmarks.qc_draw import bench_qc_draw
from devtools.benchmarks.rush import bench_rush
from devtools.benchmarks.visit_entry import bench_visit_entry
from devtools.organisation import organisation

BENCHMARKS = {
    "import": bench_import,
    "allocate": bench_allocate,
    "reclaim": bench_reclaim,
    "visit_entry": bench_visit_entry,
    "qc_draw": bench_qc_draw,
    "rush": bench_rush,
    "growth": bench_growth,
    **DASHBOARD_BENCHMARKS,
    **PAGE_BENCHMARKS,
}


def family(name: str) -> str:
    """The family a benchmark belongs to: the benchmarks that share their generated data."""
    if name.startswith("page_") or name == "rush":
        return "organisation"
    if name.startswith("dashboard_"):
        return "dashboard"
    return name


def forget_generated_data() -> None:
    """Forget the data a family built, before the next family's database is created."""
    for cached in (organisation, dashboards._data):
        cached.cache_clear()
