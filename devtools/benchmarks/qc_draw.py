"""The morning QC draw over a day of 40,000 visits from 5,000 reps."""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import Team
from core.policy import policy_for
from devtools.generate import create_reps, create_visits, max_rss_megabytes
from qc.services import draw_sample

REPS = 5_000
VISITS_PER_REP = 8


def bench_qc_draw(scale: float) -> dict:
    reps = max(int(REPS * scale), 2)
    now = timezone.now()
    team = Team.objects.create(name=f"bench-qc-{time.time_ns()}")
    policy = policy_for(team)
    policy.qc_weight_by_risk = True  # the heavier path: every visit's risk signals feed the draw
    policy.save()
    create_reps(team, reps, now)
    day = timezone.localdate(now, ZoneInfo(team.time_zone)) - timedelta(days=1)
    create_visits(team, day, VISITS_PER_REP)
    started = time.perf_counter()
    draw = draw_sample(team=team, day=day, seed=2026)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "rows": draw.candidates,
        "sampled": draw.samples.count(),
        "reps": reps,
        "max_rss_megabytes": max_rss_megabytes(),
    }
