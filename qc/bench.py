"""The morning QC draw over a day of 40,000 visits from 5,000 reps."""

import resource
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from core.models import Team
from core.policy import policy_for
from pools.bench import NUMBERS, _create_reps
from qc.services import draw_sample

REPS = 5_000
VISITS_PER_REP = 8


def _create_visits(team: Team, day: date, per_rep: int) -> None:
    """Insert `per_rep` visits for every rep of the team on `day`, two in eight effective, in one statement."""
    zone = ZoneInfo(team.time_zone)
    morning = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(hours=9)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{NUMBERS}
            INSERT INTO visits_visit (rep_id, team_id, lead_id, company_name, day, occurred_at, entered_at, mode,
                                      person_met, person_role, outcome, notes, next_step, building, address,
                                      is_cold, created_lead, is_follow_up, is_late, is_voided)
            SELECT m.user_id, %(team)s, NULL, 'bench ' || numbers.n, %(day)s, %(morning)s, %(evening)s, 'in_person',
                   '王总', 'owner', CASE WHEN numbers.n %% 4 = 0 THEN 'effective' ELSE 'potential' END,
                   'visit ' || m.user_id || '-' || numbers.n, '下一步', '', '', FALSE, FALSE, FALSE, FALSE, FALSE
              FROM crm_membership AS m CROSS JOIN numbers
             WHERE m.team_id = %(team)s AND m.role = 'rep'""",
            {
                "count": per_rep,
                "team": team.pk,
                "day": day,
                "morning": morning,
                "evening": morning + timedelta(hours=11),
            },
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE visits_visit")


def bench_qc_draw(scale: float) -> dict:
    reps = max(int(REPS * scale), 2)
    now = timezone.now()
    team = Team.objects.create(name=f"bench-qc-{time.time_ns()}")
    policy = policy_for(team)
    policy.qc_weight_by_risk = True  # the heavier path: every visit's risk signals feed the draw
    policy.save()
    _create_reps(team, reps, now)
    day = timezone.localdate(now, ZoneInfo(team.time_zone)) - timedelta(days=1)
    _create_visits(team, day, VISITS_PER_REP)
    started = time.perf_counter()
    draw = draw_sample(team=team, day=day, seed=2026)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "rows": draw.candidates,
        "sampled": draw.samples.count(),
        "reps": reps,
        "max_rss_megabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
