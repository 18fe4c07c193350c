"""The morning allocation: every active rep of a team gets their quota of the best public leads, evenly.

Allocation runs once a day per team (by the morning job at the team's local time, or by the manager), is safe to
run again (it tops up to the quota, never beyond) and to run twice at once (an advisory lock per team).
"""

import random
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_manager_of
from core.calendar import has_passed, local_day, start_of_day
from core.errors import DomainError
from core.locks import lock_team_job
from core.models import Notification, Team, TeamPolicy, User
from core.notifications import notify
from core.policy import policy_for
from core.selectors import active_reps
from hooks.models import HookEvent
from hooks.outbox import publish
from leads.lifecycle import move_locked_leads, sql_set_list
from leads.models import EventJob, EventKind, Lead, LeadState
from pools.cooldown import cooling_pairs
from pools.models import AllocationRun, RepQuota
from pools.selectors import allocated_since


def set_quotas(*, actor: User, team: Team, quotas: dict[int, int]) -> list[RepQuota]:
    """Set how many leads each rep (by id) gets each morning, within the team's range: all of them or none."""
    require_manager_of(actor, team.pk)
    policy = policy_for(team)
    reps = {rep.pk: rep for rep in active_reps(team).filter(pk__in=list(quotas))}
    for rep_id, daily_leads in quotas.items():
        rep = reps.get(rep_id)
        if rep is None:
            raise DomainError(_("Only the team's active reps have a quota."))
        if not policy.allocation_min <= daily_leads <= policy.allocation_max:
            raise DomainError(
                _("%(rep)s: a quota must be between %(min)s and %(max)s leads.")
                % {"rep": rep, "min": policy.allocation_min, "max": policy.allocation_max}
            )
    with transaction.atomic():
        return [
            RepQuota.objects.update_or_create(rep_id=rep_id, defaults={"daily_leads": daily_leads})[0]
            for rep_id, daily_leads in sorted(quotas.items())
        ]


@dataclass
class RepAllocation:
    rep: User
    quota: int
    already_today: int
    open_assigned: int = 0
    open_cap: int = 0
    planned: int = 0

    @property
    def held_back(self) -> int:
        """What the cap on open assigned leads keeps from the rep today: they have enough to work already."""
        return max(self.quota - self.already_today, 0) - self.needed

    @property
    def needed(self) -> int:
        return max(min(self.quota - self.already_today, self.open_cap - self.open_assigned), 0)

    @property
    def shortfall(self) -> int:
        return self.needed - self.planned


@dataclass
class AllocationPlan:
    team: Team
    day: object
    pool_size: int
    reps: list[RepAllocation]
    moves: list[tuple[int, int]] = field(default_factory=list)  # (lead id, rep id)

    @property
    def shortfall(self) -> int:
        return sum(rep.shortfall for rep in self.reps)


def plan_allocation(team: Team, *, now=None, seed=None) -> AllocationPlan:
    """Work out today's allocation for a team without changing anything.

    The pool is ranked best first (priority, then oldest); leads are dealt one round at a time, every rep still
    short of their quota getting one lead per round in a freshly shuffled order, so nobody gets all the best leads
    and a short pool is shared equally. A lead in a rep's cooldown goes to the next rep instead.
    """
    now = now or timezone.now()
    policy = policy_for(team)
    day_start = start_of_day(team, now)
    reps = list(active_reps(team).order_by("pk"))
    quotas = dict(RepQuota.objects.filter(rep__in=active_reps(team)).values_list("rep_id", "daily_leads"))
    already = dict(
        allocated_since(day_start)
        .filter(to_owner__in=active_reps(team))
        .values_list("to_owner")
        .annotate(count=Count("pk"))
        .values_list("to_owner", "count")
    )
    open_assigned = dict(
        Lead.objects.filter(owner__in=active_reps(team), state=LeadState.ASSIGNED)
        .order_by()
        .values_list("owner")
        .annotate(count=Count("pk"))
        .values_list("owner", "count")
    )
    rows = [
        RepAllocation(
            rep=rep,
            quota=quotas.get(rep.pk, policy.allocation_min),
            already_today=already.get(rep.pk, 0),
            open_assigned=open_assigned.get(rep.pk, 0),
            open_cap=policy.open_assigned_cap,
        )
        for rep in reps
    ]
    pool = Lead.objects.filter(team=team, state=LeadState.PUBLIC, owner__isnull=True)
    plan = AllocationPlan(team=team, day=day_start.date(), pool_size=pool.count(), reps=rows)
    total_needed = sum(row.needed for row in rows)
    if not total_needed:
        return plan
    # A little more than needed, so leads skipped for cooldowns can be replaced from the same read.
    ranked = list(
        pool.order_by("-priority", "created_at", "pk").values_list("pk", flat=True)[: total_needed + len(rows) * 5]
    )
    # Subqueries rather than lists of ids: a pool can hold millions of leads and a team thousands of reps.
    cooling = cooling_pairs(leads=pool, reps=active_reps(team), policy=policy, now=now)
    chance = random.Random(seed if seed is not None else f"{team.pk}-{day_start.date()}-{now.timestamp()}")
    next_lead = iter(ranked)
    skipped: list[int] = []  # better-ranked leads passed over for a rep in cooldown; offered first next time

    def take_for(rep_id):
        for index, lead_id in enumerate(skipped):
            if (lead_id, rep_id) not in cooling:
                return skipped.pop(index)
        for lead_id in next_lead:
            if (lead_id, rep_id) not in cooling:
                return lead_id
            skipped.append(lead_id)
        return None

    waiting = [row for row in rows if row.needed]
    while waiting:
        chance.shuffle(waiting)
        empty_handed = set()
        for row in waiting:
            lead_id = take_for(row.rep.pk)
            if lead_id is None:
                empty_handed.add(row.rep.pk)  # nothing left that this rep may have
                continue
            plan.moves.append((lead_id, row.rep.pk))
            row.planned += 1
        waiting = [row for row in waiting if row.planned < row.needed and row.rep.pk not in empty_handed]
    return plan


def allocate(*, team: Team, actor: User | None = None, job: str = "", now=None, seed=None) -> AllocationPlan:
    """Deal today's leads from the team's pool: everyone up to their quota, topped up if run again the same day."""
    if actor is not None:
        require_manager_of(actor, team.pk)
    now = now or timezone.now()
    policy = policy_for(team)
    with transaction.atomic():
        lock_team_job(team, "allocate")
        plan = plan_allocation(team, now=now, seed=seed)
        applied = _apply_allocation(plan.moves, policy=policy, actor=actor, job=job, now=now)
        by_rep = {}
        for _lead_id, rep_id in applied:
            by_rep[rep_id] = by_rep.get(rep_id, 0) + 1
        for row in plan.reps:
            row.planned = by_rep.get(row.rep.pk, 0)
        by = actor.pk if actor else None
        publish(
            HookEvent.LEAD_ALLOCATED,
            [(team.pk, {"lead": lead_id, "rep": rep_id, "by": by}) for lead_id, rep_id in applied],
            at=now,
        )
        AllocationRun.objects.create(
            team=team,
            day=plan.day,
            actor=actor,
            is_automatic=actor is None,
            allocated=len(applied),
            shortfall=plan.shortfall,
            created_at=now,
        )
        notify(
            [
                Notification(user_id=rep_id, kind=Notification.Kind.ALLOCATED, params={"count": count}, created_at=now)
                for rep_id, count in by_rep.items()
            ]
        )
    return plan


ALLOCATE_SQL = """
WITH moves AS (SELECT * FROM unnest(%(leads)s::bigint[], %(reps)s::bigint[]) AS m(lead_id, rep_id)),
moved AS (
    UPDATE leads_lead AS l
       SET {set_list}
      FROM moves AS m
     WHERE l.id = m.lead_id AND l.state = 'public' AND l.owner_id IS NULL
 RETURNING l.id, l.team_id, m.rep_id
)
INSERT INTO pools_leadevent (lead_id, team_id, kind, actor_id, job, from_state, to_state, from_owner_id, to_owner_id,
                             reason, reason_code, created_at)
SELECT id, team_id, 'allocated', %(actor)s, %(job)s, 'public', 'assigned', NULL, rep_id, '', '', %(now)s FROM moved
RETURNING lead_id, to_owner_id
"""


def _apply_allocation(moves, *, policy: TeamPolicy, actor, job, now) -> list[tuple[int, int]]:
    """Give each (lead, rep) pair that is still in the public pool; return the pairs that were given."""
    if not moves:
        return []
    if connection.vendor == "postgresql":
        set_list, params = sql_set_list(LeadState.ASSIGNED, from_row={"owner": "m.rep_id"}, now=now, policy=policy)
        with connection.cursor() as cursor:
            cursor.execute(
                ALLOCATE_SQL.format(set_list=set_list),
                {
                    **params,
                    "leads": [lead_id for lead_id, _rep in moves],
                    "reps": [rep_id for _lead, rep_id in moves],
                    "now": now,
                    "actor": actor.pk if actor else None,
                    "job": job,
                },
            )
            return cursor.fetchall()
    # SQLite: writers are serialised, so reading what is still public and then moving it is safe.
    still_public = {
        lead.pk: lead
        for lead in Lead.objects.filter(
            pk__in=[lead_id for lead_id, _rep in moves], state=LeadState.PUBLIC, owner__isnull=True
        )
    }
    applied = [(lead_id, rep_id) for lead_id, rep_id in moves if lead_id in still_public]
    by_rep: dict[int, list[Lead]] = {}
    for lead_id, rep_id in applied:
        by_rep.setdefault(rep_id, []).append(still_public[lead_id])
    for rep in User.objects.filter(pk__in=list(by_rep)):
        move_locked_leads(
            by_rep[rep.pk],
            LeadState.ASSIGNED,
            kind_of=lambda _lead: EventKind.ALLOCATED,
            now=now,
            actor=actor,
            job=job,
            owner=rep,
            policy=policy,
        )
    return applied


def allocate_due_teams(*, now=None) -> list[AllocationPlan]:
    """Run the morning allocation for every team that switched it on and whose local allocation time has come."""
    now = now or timezone.now()
    plans = []
    for policy in TeamPolicy.objects.filter(auto_allocate=True, team__is_active=True).select_related("team"):
        team = policy.team
        if not has_passed(team, policy.allocation_time, now):
            continue
        if AllocationRun.objects.filter(team=team, day=local_day(team, now), is_automatic=True).exists():
            continue
        try:
            with transaction.atomic():
                plans.append(allocate(team=team, job=EventJob.ALLOCATE, now=now))
        except IntegrityError:
            continue  # another worker allocated this team a moment ago
    return plans
