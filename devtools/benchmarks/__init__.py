"""The benchmark registry behind `manage.py bench`: each benchmark builds its own data and returns its figures.

A benchmark is a function (scale) -> dict with at least "rows" and "seconds".
"""

from devtools.benchmarks.dashboards import DASHBOARD_BENCHMARKS
from devtools.benchmarks.imports import bench_import
from devtools.benchmarks.pages import PAGE_BENCHMARKS
from devtools.benchmarks.pools import bench_allocate, bench_reclaim
from devtools.benchmarks.qc_draw import bench_qc_draw
from devtools.benchmarks.rush import bench_rush
from devtools.benchmarks.visit_entry import bench_visit_entry

BENCHMARKS = {
    "import": bench_import,
    "allocate": bench_allocate,
    "reclaim": bench_reclaim,
    "visit_entry": bench_visit_entry,
    "qc_draw": bench_qc_draw,
    "rush": bench_rush,
    **DASHBOARD_BENCHMARKS,
    **PAGE_BENCHMARKS,
}
