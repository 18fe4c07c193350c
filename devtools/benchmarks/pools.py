"""Benchmarks of the two pool jobs on generated data, each against a hand-written single SQL statement (the floor).

The floor does the same state change (owners, states, deadlines, one event per lead) with none of the job's rules,
in one committed transaction. To be fair to both, the data is vacuumed and analysed first, then floor
and job run alternately, each ROUNDS times on the very same data (the job's changes are undone between rounds), and
the best time of each is reported with every time measured.
"""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from core.models import Notification, Team
from core.policy import policy_for
from devtools.generate import create_leads, create_reps, max_rss_megabytes
from leads.models import EventKind, Lead, LeadEvent, LeadState
from pools.models import AllocationRun
from pools.services.allocation import allocate
from pools.services.reclaim import reclaim_overdue

ALLOCATE_REPS = 5_000
ALLOCATE_POOL = 2_000_000
ALLOCATE_QUOTA = 50
RECLAIM_TEAMS = 100
RECLAIM_REPS_PER_TEAM = 50
RECLAIM_OVERDUE = 100_000
ROUNDS = 2
# Rows the jobs add; what a round added is deleted before the next one.
ADDED_BY_JOBS = (LeadEvent, Notification, AllocationRun)


def _timed_statement(sql: str, params: dict) -> float:
    """Run one statement in its own transaction, committed as the job's are, and time it."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return time.perf_counter() - started


class _SameData:
    """The teams' leads as they were before the first round, put back after each run of the job."""

    def __init__(self, team_ids: list[int]):
        self.team_ids = team_ids
        self.columns = [field.column for field in Lead._meta.concrete_fields if not field.primary_key]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_leads_before AS SELECT * FROM leads_lead WHERE team_id = ANY(%s)",
                [team_ids],
            )
            self.watermarks = {}
            for model in ADDED_BY_JOBS:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                self.watermarks[model._meta.db_table] = cursor.fetchone()[0]
        self.settle()

    def restore(self) -> None:
        listed = ", ".join(self.columns)
        before = ", ".join(f"before.{column}" for column in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE leads_lead AS l SET ({listed}) = ({before}) FROM bench_leads_before AS before "
                "WHERE l.id = before.id"
            )
            # The events are append-only for everyone else; the benchmark's throwaway database lifts that briefly.
            cursor.execute("ALTER TABLE pools_leadevent DISABLE TRIGGER pools_leadevent_append_only")
            for table, watermark in self.watermarks.items():
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [watermark])
            cursor.execute("ALTER TABLE pools_leadevent ENABLE TRIGGER pools_leadevent_append_only")
        self.settle()

    def settle(self) -> None:
        """Vacuum and analyse what the runs touch, so no run pays for the previous one's dead rows."""
        tables = ["leads_lead", "crm_membership", "crm_user", *self.watermarks]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
            cursor.execute("CHECKPOINT")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_leads_before")


def _alternate(team_ids: list[int], floor, job) -> tuple[list[float], list[float], object]:
    """Run floor and job alternately ROUNDS times each on the same data; return both times and the job's last
    result (its changes are kept after the last round, to be checked)."""
    same_data = _SameData(team_ids)
    floors, jobs, result = [], [], None
    for number in range(ROUNDS):
        floors.append(floor())
        same_data.restore()
        started = time.perf_counter()
        result = job()
        jobs.append(time.perf_counter() - started)
        if number < ROUNDS - 1:
            same_data.restore()
    same_data.drop()
    return floors, jobs, result


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
       RETURNING l.id, l.team_id, l.owner_id)
INSERT INTO pools_leadevent (lead_id, team_id, kind, job, from_state, to_state, to_owner_id, reason, reason_code,
                             created_at)
SELECT id, team_id, 'allocated', 'floor', 'public', 'assigned', owner_id, '', '', %(now)s FROM moved
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
    floor_params = {
        "team": team.pk,
        "total": reps * ALLOCATE_QUOTA,
        "now": now,
        "follow_up": now + timedelta(hours=policy.follow_up_hours),
        "resolve": now + timedelta(days=policy.resolve_days),
    }

    def job():
        allocate(team=team, job="bench", now=now, seed=1)

    if connection.vendor == "postgresql":
        floors, jobs, _result = _alternate([team.pk], lambda: _timed_statement(ALLOCATE_FLOOR_SQL, floor_params), job)
    else:
        floors, jobs = [], [_timed(job)]
    allocated = LeadEvent.objects.filter(team=team, kind=EventKind.ALLOCATED).count()
    if allocated != reps * ALLOCATE_QUOTA:
        raise AssertionError(f"{allocated} of {reps * ALLOCATE_QUOTA} leads allocated")
    return _figures(jobs, allocated, floors, reps=reps, pool=pool)


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
       RETURNING l.id, l.team_id, overdue.owner_id AS old_owner_id, l.owner_id)
INSERT INTO pools_leadevent (lead_id, team_id, kind, job, from_state, to_state, from_owner_id, to_owner_id, reason,
                             reason_code, created_at)
SELECT id, team_id, 'reclaimed', 'floor', 'assigned', 'assigned', old_owner_id, owner_id, '', 'follow_up_missed',
       %(now)s
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
    policy = policy_for(created[0])
    floor_params = {
        "now": now,
        "follow_up": now + timedelta(hours=policy.follow_up_hours),
        "resolve": now + timedelta(days=policy.resolve_days),
    }
    if connection.vendor == "postgresql":
        team_ids = [team.pk for team in created]
        floors, jobs, result = _alternate(
            team_ids, lambda: _timed_statement(RECLAIM_FLOOR_SQL, floor_params), lambda: reclaim_overdue(now=now)
        )
    else:
        started = time.perf_counter()
        result = reclaim_overdue(now=now)
        floors, jobs = [], [time.perf_counter() - started]
    ours = set(Lead.objects.filter(team__in=created).values_list("pk", flat=True))
    moved = sum(1 for lead_id, _old, _new in result.moved if lead_id in ours)
    if moved != rows:
        raise AssertionError(f"{moved} of {rows} overdue leads reclaimed")
    return _figures(jobs, rows, floors, teams=teams, reps=teams * RECLAIM_REPS_PER_TEAM)


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _figures(jobs: list[float], rows: int, floors: list[float], **sizes) -> dict:
    """The best of each (the other runs are listed too), and the job's best over the floor's best."""
    figures = {"seconds": round(min(jobs), 3), "rows": rows, **sizes, "job_runs": [round(run, 3) for run in jobs]}
    if floors:
        figures["floor_seconds"] = round(min(floors), 3)
        figures["floor_runs"] = [round(run, 3) for run in floors]
        figures["ratio"] = round(min(jobs) / min(floors), 2) if min(floors) else None
    figures["max_rss_megabytes"] = max_rss_megabytes()
    return figures
