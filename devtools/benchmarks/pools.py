"""Benchmarks of the two pool jobs on generated data, each against a hand-written single SQL statement (the floor).

The floor does the same state change (owners, states, deadlines, one event per lead) with none of the job's rules,
inside a transaction that is rolled back, so the job then runs on the very same data.
"""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from core.models import Team
from core.policy import policy_for
from devtools.generate import create_leads, create_reps, max_rss_megabytes
from leads.models import EventKind, Lead, LeadEvent, LeadState
from pools.services.allocation import allocate
from pools.services.reclaim import reclaim_overdue

ALLOCATE_REPS = 5_000
ALLOCATE_POOL = 2_000_000
ALLOCATE_QUOTA = 50
RECLAIM_TEAMS = 100
RECLAIM_REPS_PER_TEAM = 50
RECLAIM_OVERDUE = 100_000


def _timed_and_rolled_back(sql: str, params: dict) -> tuple[float, int]:
    """Run one statement, time it, and undo it, so the real job then meets the same data."""
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.rowcount
            seconds = time.perf_counter() - started
            raise _Undo
    except _Undo:
        pass
    return seconds, rows


class _Undo(Exception):
    pass


ALLOCATE_FLOOR_SQL = """
WITH reps AS (SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS slot, count(*) OVER () AS total
                FROM crm_membership WHERE team_id = %(team)s AND role = 'rep'),
ranked AS (SELECT id, row_number() OVER (ORDER BY priority DESC, created_at, id) - 1 AS rank
             FROM leads_lead WHERE team_id = %(team)s AND state = 'public' AND owner_id IS NULL
            ORDER BY priority DESC, created_at, id LIMIT %(total)s),
moved AS (UPDATE leads_lead AS l
             SET owner_id = reps.user_id, state = 'assigned', assigned_at = %(now)s,
                 follow_up_deadline = %(follow_up)s, resolve_deadline = %(resolve)s, updated_at = %(now)s
            FROM ranked JOIN reps ON reps.slot = ranked.rank %% reps.total
           WHERE l.id = ranked.id
       RETURNING l.id, l.owner_id)
INSERT INTO pools_leadevent (lead_id, kind, job, from_state, to_state, to_owner_id, reason, reason_code, created_at)
SELECT id, 'allocated', 'floor', 'public', 'assigned', owner_id, '', '', %(now)s FROM moved
"""


def bench_allocate(scale: float) -> dict:
    """A morning allocation of 50 leads to each of 5,000 reps from a 2,000,000-lead pool."""
    reps = max(int(ALLOCATE_REPS * scale), 2)
    pool = max(int(ALLOCATE_POOL * scale), reps * ALLOCATE_QUOTA)
    now = timezone.now()
    team = Team.objects.create(name=f"bench-allocate-{time.time_ns()}")
    policy = policy_for(team)
    policy.allocation_min = policy.allocation_max = ALLOCATE_QUOTA
    policy.save()
    create_reps(team, reps, now)
    create_leads(team, pool, now)
    floor_seconds = None
    if connection.vendor == "postgresql":
        floor_seconds, _rows = _timed_and_rolled_back(
            ALLOCATE_FLOOR_SQL,
            {
                "team": team.pk,
                "total": reps * ALLOCATE_QUOTA,
                "now": now,
                "follow_up": now + timedelta(hours=policy.follow_up_hours),
                "resolve": now + timedelta(days=policy.resolve_days),
            },
        )
    started = time.perf_counter()
    allocate(team=team, job="bench", now=now, seed=1)
    seconds = time.perf_counter() - started
    allocated = LeadEvent.objects.filter(kind=EventKind.ALLOCATED, lead__team=team).count()
    assert allocated == reps * ALLOCATE_QUOTA, (allocated, reps * ALLOCATE_QUOTA)
    return _figures(seconds, allocated, floor_seconds, reps=reps, pool=pool)


RECLAIM_FLOOR_SQL = """
WITH reps AS (SELECT user_id, team_id, row_number() OVER (PARTITION BY team_id ORDER BY user_id) - 1 AS slot,
                     count(*) OVER (PARTITION BY team_id) AS total
                FROM crm_membership WHERE role = 'rep'),
overdue AS (SELECT l.id, l.owner_id, l.team_id, owner_slot.slot
              FROM leads_lead AS l JOIN reps AS owner_slot ON owner_slot.user_id = l.owner_id
             WHERE l.state = 'assigned' AND l.follow_up_deadline < %(now)s AND l.last_follow_up_at IS NULL),
moved AS (UPDATE leads_lead AS l
             SET owner_id = next_rep.user_id, assigned_at = %(now)s, follow_up_deadline = %(follow_up)s,
                 resolve_deadline = %(resolve)s, updated_at = %(now)s
            FROM overdue JOIN reps AS next_rep
              ON next_rep.team_id = overdue.team_id AND next_rep.slot = (overdue.slot + 1) %% next_rep.total
           WHERE l.id = overdue.id
       RETURNING l.id, overdue.owner_id AS old_owner_id, l.owner_id)
INSERT INTO pools_leadevent (lead_id, kind, job, from_state, to_state, from_owner_id, to_owner_id, reason,
                             reason_code, created_at)
SELECT id, 'reclaimed', 'floor', 'assigned', 'assigned', old_owner_id, owner_id, '', 'follow_up_missed', %(now)s
  FROM moved
"""


def bench_reclaim(scale: float) -> dict:
    """The reclaim of 100,000 overdue leads held by 5,000 reps in 100 teams."""
    teams = max(int(RECLAIM_TEAMS * scale), 1)
    overdue = max(int(RECLAIM_OVERDUE * scale), teams)
    now = timezone.now()
    created = []
    for _number in range(teams):
        team = Team.objects.create(name=f"bench-reclaim-{time.time_ns()}")
        policy_for(team)
        create_reps(team, RECLAIM_REPS_PER_TEAM, now)
        create_leads(team, overdue // teams, now, owned_by_reps=True, deadline=now - timedelta(hours=1))
        created.append(team)
    rows = Lead.objects.filter(team__in=created, state=LeadState.ASSIGNED).count()
    floor_seconds = None
    if connection.vendor == "postgresql":
        policy = policy_for(created[0])
        floor_seconds, _rows = _timed_and_rolled_back(
            RECLAIM_FLOOR_SQL,
            {
                "now": now,
                "follow_up": now + timedelta(hours=policy.follow_up_hours),
                "resolve": now + timedelta(days=policy.resolve_days),
            },
        )
    started = time.perf_counter()
    result = reclaim_overdue(now=now)
    seconds = time.perf_counter() - started
    ours = set(Lead.objects.filter(team__in=created).values_list("pk", flat=True))
    moved = sum(1 for lead_id, _old, _new in result.moved if lead_id in ours)
    if moved != rows:
        raise AssertionError(f"{moved} of {rows} overdue leads reclaimed")
    return _figures(seconds, rows, floor_seconds, teams=teams, reps=teams * RECLAIM_REPS_PER_TEAM)


def _figures(seconds, rows, floor_seconds, **sizes) -> dict:
    figures = {"seconds": round(seconds, 3), "rows": rows, **sizes}
    if floor_seconds is not None:
        figures["floor_seconds"] = round(floor_seconds, 3)
        figures["ratio"] = round(seconds / floor_seconds, 2) if floor_seconds else None
    figures["max_rss_megabytes"] = max_rss_megabytes()
    return figures
