"""The benchmark registry behind `manage.py bench`: each benchmark builds its own data and returns its figures.

A benchmark is a function (scale) -> dict with at least "rows" and "seconds"; apps add theirs to BENCHMARKS.
"""

import time
from contextlib import contextmanager

from core.dashboard_bench import DASHBOARD_BENCHMARKS
from leads.bench import bench_import
from pools.bench import bench_allocate, bench_reclaim
from qc.bench import bench_qc_draw
from visits.bench import bench_visit_entry

BENCHMARKS = {
    "import": bench_import,
    "allocate": bench_allocate,
    "reclaim": bench_reclaim,
    "visit_entry": bench_visit_entry,
    "qc_draw": bench_qc_draw,
    **DASHBOARD_BENCHMARKS,
}


@contextmanager
def stopwatch():
    """Yield a dict whose "seconds" is filled in when the block ends."""
    timing = {}
    started = time.perf_counter()
    try:
        yield timing
    finally:
        timing["seconds"] = round(time.perf_counter() - started, 3)
