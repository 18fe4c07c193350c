"""Moving leads between pools and owners: claim, keep (with the swap at the cap), return, assign, reopen.

Every operation takes the acting user, checks role and state itself, runs in one transaction and writes its lead
events in it. Ownership changes are conditional UPDATEs whose row count says who won, so two people acting on one
lead at the same moment cannot both succeed.
"""

import heapq
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, rep_team, require_manager_of, require_rep_team
from core.calendar import has_passed, local_day, start_of_day
from core.errors import DomainError
from core.locks import lock_rep, lock_team_job
from core.models import Membership, Notification, Role, Team, TeamPolicy, User
from core.notifications import notify
from core.policy import active_policies, policy_for
from core.selectors import active_reps
from leads.deadlines import NO_DEADLINES, deadlines_from
from leads.models import Lead, LeadState, Stage
from pools.events import event_for, record_event
from pools.models import AllocationRun, EventKind, LeadEvent, RepQuota

OPEN_STATES = (LeadState.ASSIGNED, LeadState.PRIVATE)
LOSING_KINDS = (EventKind.RETURNED, EventKind.RECLAIMED)


def cooldown_until(rep: User, lead: Lead, policy: TeamPolicy, now=None):
    """Return when `rep` may have `lead` again after losing or returning it, or None if they may now."""
    now = now or timezone.now()
    lost_at = (
        LeadEvent.objects.filter(
            lead_id=lead.pk,
            from_owner=rep,
            kind__in=LOSING_KINDS,
            created_at__gt=now - timedelta(days=policy.reclaim_cooldown_days),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if lost_at is None else lost_at + timedelta(days=policy.reclaim_cooldown_days)


def leads_in_cooldown(rep: User, lead_ids, policy: TeamPolicy, now) -> set[int]:
    """Return which of `lead_ids` `rep` lost or returned too recently to get back."""
    return set(
        LeadEvent.objects.filter(
            lead_id__in=lead_ids,
            from_owner=rep,
            kind__in=LOSING_KINDS,
            created_at__gt=now - timedelta(days=policy.reclaim_cooldown_days),
        ).values_list("lead_id", flat=True)
    )


def claims_today(rep: User, team: Team, now=None) -> int:
    """Return how many leads `rep` claimed since midnight in the team's time zone."""
    return LeadEvent.objects.filter(actor=rep, kind=EventKind.CLAIMED, created_at__gte=start_of_day(team, now)).count()


def private_count(rep: User) -> int:
    return Lead.objects.filter(owner=rep, state=LeadState.PRIVATE).count()


def _format(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def claim_lead(*, actor: User, lead: Lead) -> Lead:
    """Take a lead from the team's public pool: within the daily limit, never back inside a cooldown."""
    team = require_rep_team(actor)
    policy = policy_for(team)
    with transaction.atomic():
        lock_rep(actor)
        now = timezone.now()
        if lead.team_id != team.pk:
            raise DomainError(_("This lead is not in your team's pool."))
        until = cooldown_until(actor, lead, policy, now)
        if until is not None:
            raise DomainError(
                _("You gave up or lost this lead recently; you can claim it again from %(when)s.")
                % {"when": _format(until)}
            )
        if claims_today(actor, team, now) >= policy.daily_claim_limit:
            raise DomainError(
                _("You have claimed %(limit)s leads today, the daily limit. Claim more tomorrow.")
                % {"limit": policy.daily_claim_limit}
            )
        won = Lead.objects.filter(pk=lead.pk, team=team, state=LeadState.PUBLIC, owner__isnull=True).update(
            owner=actor, state=LeadState.ASSIGNED, updated_at=now, **deadlines_from(policy, now)
        )
        if not won:
            raise DomainError(_("Someone else claimed this lead a moment ago; it is no longer in the pool."))
        # The conditional update only wins on a public, ownerless lead, so that is the state the event starts from.
        was_public = Lead(pk=lead.pk, state=LeadState.PUBLIC, owner=None)
        record_event(
            was_public, kind=EventKind.CLAIMED, actor=actor, to_state=LeadState.ASSIGNED, to_owner=actor, at=now
        )
    lead.refresh_from_db()
    return lead


def _to_public_pool(lead: Lead, *, owner: User, from_states, now) -> bool:
    """Put `owner`'s lead back in the public pool if it is still theirs in one of `from_states`."""
    return bool(
        Lead.objects.filter(pk=lead.pk, owner=owner, state__in=from_states).update(
            owner=None, state=LeadState.PUBLIC, assigned_at=None, private_since=None, updated_at=now, **NO_DEADLINES
        )
    )


def keep_lead(*, actor: User, lead: Lead, give_back: Lead | None = None) -> Lead:
    """Move an assigned lead into the rep's private pool; at the cap, `give_back` goes to the public pool.

    Both moves happen in one transaction, so the swap is all or nothing.
    """
    team = require_rep_team(actor)
    policy = policy_for(team)
    with transaction.atomic():
        lock_rep(actor)
        now = timezone.now()
        current = Lead.objects.filter(pk=lead.pk, owner=actor).first()
        if current is None or current.state != LeadState.ASSIGNED:
            raise DomainError(_("Only a lead assigned to you can be kept in your private pool."))
        count = private_count(actor)
        if count >= policy.private_cap:
            if give_back is None:
                raise DomainError(
                    _("Your private pool is full (%(count)s/%(cap)s). Choose a private lead to give back.")
                    % {"count": count, "cap": policy.private_cap}
                )
            returned = Lead.objects.filter(pk=give_back.pk, owner=actor, state=LeadState.PRIVATE).first()
            if returned is None or not _to_public_pool(returned, owner=actor, from_states=[LeadState.PRIVATE], now=now):
                raise DomainError(_("The lead to give back is no longer in your private pool."))
            record_event(
                returned,
                kind=EventKind.RETURNED,
                actor=actor,
                to_state=LeadState.PUBLIC,
                to_owner=None,
                at=now,
                reason=_("Given back to keep %(company)s") % {"company": current.company_name},
            )
        kept = Lead.objects.filter(pk=lead.pk, owner=actor, state=LeadState.ASSIGNED).update(
            state=LeadState.PRIVATE, private_since=now, updated_at=now, **NO_DEADLINES
        )
        if not kept:
            raise DomainError(_("Only a lead assigned to you can be kept in your private pool."))
        record_event(current, kind=EventKind.KEPT, actor=actor, to_state=LeadState.PRIVATE, to_owner=actor, at=now)
    lead.refresh_from_db()
    return lead


def return_lead(*, actor: User, lead: Lead, reason: str) -> Lead:
    """Give an assigned or private lead back to the team's public pool, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you are returning this lead."))
    require_rep_team(actor)
    with transaction.atomic():
        now = timezone.now()
        current = Lead.objects.select_for_update().filter(pk=lead.pk, owner=actor).first()
        if current is None or not _to_public_pool(current, owner=actor, from_states=OPEN_STATES, now=now):
            raise DomainError(_("This lead is not yours to return."))
        record_event(
            current,
            kind=EventKind.RETURNED,
            actor=actor,
            to_state=LeadState.PUBLIC,
            to_owner=None,
            at=now,
            reason=reason,
        )
    lead.refresh_from_db()
    return lead


@dataclass
class AssignResult:
    assigned: list[Lead] = field(default_factory=list)
    skipped: list[tuple[Lead, str]] = field(default_factory=list)


def assign_leads(*, actor: User, leads: QuerySet[Lead] | list[Lead], rep: User, reason: str = "") -> AssignResult:
    """Give leads of the manager's team to one of its reps (from the pool, or from another rep).

    Leads in the rep's cooldown, closed or converted leads, and leads the rep already owns are skipped and reported.
    """
    lead_ids = sorted({lead.pk for lead in leads})
    result = AssignResult()
    if not lead_ids:
        raise DomainError(_("Choose at least one lead."))
    allowed_teams = managed_team_ids(actor)
    if not allowed_teams:
        raise DomainError(_("Only a manager can assign leads."))
    team = rep_team(rep)
    if team is None or team.pk not in allowed_teams:
        raise DomainError(_("%(rep)s is not an active rep of your team.") % {"rep": rep})
    policy = policy_for(team)
    with transaction.atomic():
        now = timezone.now()
        # Locked in primary-key order so two managers assigning overlapping sets cannot deadlock.
        locked = list(Lead.objects.select_for_update().filter(pk__in=lead_ids, team=team).order_by("pk"))
        if len(locked) != len(lead_ids):
            raise DomainError(_("Some of these leads are not in %(team)s.") % {"team": team})
        cooling = leads_in_cooldown(rep, lead_ids, policy, now)
        movable = []
        for lead in locked:
            if lead.state in (LeadState.CUSTOMER, LeadState.CLOSED):
                result.skipped.append((lead, _("already %(state)s") % {"state": lead.get_state_display()}))
            elif lead.owner_id == rep.pk:
                result.skipped.append((lead, _("already %(rep)s's") % {"rep": rep}))
            elif lead.pk in cooling:
                result.skipped.append((lead, _("%(rep)s lost it recently (cooldown)") % {"rep": rep}))
            else:
                movable.append(lead)
        if movable:
            Lead.objects.filter(pk__in=[lead.pk for lead in movable]).update(
                owner=rep, state=LeadState.ASSIGNED, updated_at=now, **deadlines_from(policy, now)
            )
            LeadEvent.objects.bulk_create(
                event_for(
                    lead,
                    kind=EventKind.ASSIGNED if lead.owner_id is None else EventKind.REASSIGNED,
                    actor=actor,
                    to_state=LeadState.ASSIGNED,
                    to_owner=rep,
                    at=now,
                    reason=reason,
                )
                for lead in movable
            )
        result.assigned = movable
    return result


def reopen_lead(*, actor: User, lead: Lead) -> Lead:
    """Put a closed lead back in its team's public pool (managers only)."""
    require_manager_of(actor, lead.team_id)
    with transaction.atomic():
        now = timezone.now()
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if current.state != LeadState.CLOSED:
            raise DomainError(_("Only a closed lead can be reopened."))
        Lead.objects.filter(pk=lead.pk).update(
            state=LeadState.PUBLIC,
            stage=Stage.NEW,
            owner=None,
            close_reason="",
            close_note="",
            assigned_at=None,
            updated_at=now,
        )
        record_event(current, kind=EventKind.REOPENED, actor=actor, to_state=LeadState.PUBLIC, to_owner=None, at=now)
    lead.refresh_from_db()
    return lead


# --- Follow-ups ---------------------------------------------------------------------------------------------------


def record_follow_up(*, actor: User, lead: Lead, at=None) -> bool:
    """Credit a follow-up to the lead's owner, restarting its idle timer; return False if the lead has moved.

    The lead row is locked, so a follow-up and the reclaim job cannot both win: whichever commits first does.
    The caller keeps its own record (a visit, a call) either way and tells the rep when this returns False.
    """
    at = at or timezone.now()
    with transaction.atomic():
        current = Lead.objects.select_for_update().filter(pk=lead.pk).first()
        if current is None or current.owner_id != actor.pk or current.state not in OPEN_STATES:
            return False
        if current.last_follow_up_at is None or current.last_follow_up_at < at:
            Lead.objects.filter(pk=lead.pk).update(last_follow_up_at=at, updated_at=timezone.now())
    return True


# --- Morning allocation ---------------------------------------------------------------------------------------------


def set_quota(*, actor: User, rep: User, daily_leads: int) -> RepQuota:
    """Set how many leads a rep gets each morning, within the team's allocation range."""
    team = rep_team(rep)
    if team is None:
        raise DomainError(_("%(rep)s is not a rep.") % {"rep": rep})
    require_manager_of(actor, team.pk)
    policy = policy_for(team)
    if not policy.allocation_min <= daily_leads <= policy.allocation_max:
        raise DomainError(
            _("A quota must be between %(min)s and %(max)s leads.")
            % {"min": policy.allocation_min, "max": policy.allocation_max}
        )
    quota, _created = RepQuota.objects.update_or_create(rep=rep, defaults={"daily_leads": daily_leads})
    return quota


@dataclass
class RepAllocation:
    rep: User
    quota: int
    already_today: int
    planned: int = 0

    @property
    def needed(self) -> int:
        return max(self.quota - self.already_today, 0)

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
        LeadEvent.objects.filter(kind=EventKind.ALLOCATED, to_owner__in=active_reps(team), created_at__gte=day_start)
        .values_list("to_owner")
        .annotate(count=Count("pk"))
        .values_list("to_owner", "count")
    )
    rows = [
        RepAllocation(rep=rep, quota=quotas.get(rep.pk, policy.allocation_min), already_today=already.get(rep.pk, 0))
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
    cooling = set(
        LeadEvent.objects.filter(
            lead__in=pool,
            from_owner__in=active_reps(team),
            kind__in=LOSING_KINDS,
            created_at__gt=now - timedelta(days=policy.reclaim_cooldown_days),
        ).values_list("lead_id", "from_owner_id")
    )
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
       SET owner_id = m.rep_id, state = 'assigned', assigned_at = %(now)s, follow_up_deadline = %(follow_up)s,
           resolve_deadline = %(resolve)s, last_follow_up_at = NULL, private_since = NULL,
           follow_up_reminded_for = NULL, resolve_reminded_for = NULL, updated_at = %(now)s
      FROM moves AS m
     WHERE l.id = m.lead_id AND l.state = 'public' AND l.owner_id IS NULL
 RETURNING l.id, m.rep_id
)
INSERT INTO pools_leadevent (lead_id, kind, actor_id, job, from_state, to_state, from_owner_id, to_owner_id, reason,
                             created_at)
SELECT id, 'allocated', %(actor)s, %(job)s, 'public', 'assigned', NULL, rep_id, '', %(now)s FROM moved
RETURNING lead_id, to_owner_id
"""


def _apply_allocation(moves, *, policy, actor, job, now) -> list[tuple[int, int]]:
    """Give each (lead, rep) pair that is still in the public pool; return the pairs that were given."""
    if not moves:
        return []
    deadlines = deadlines_from(policy, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                ALLOCATE_SQL,
                {
                    "leads": [lead_id for lead_id, _rep in moves],
                    "reps": [rep_id for _lead, rep_id in moves],
                    "now": now,
                    "follow_up": deadlines["follow_up_deadline"],
                    "resolve": deadlines["resolve_deadline"],
                    "actor": actor.pk if actor else None,
                    "job": job,
                },
            )
            return cursor.fetchall()
    # SQLite: writers are serialised, so reading what is still public and then updating it is safe.
    still_public = set(
        Lead.objects.filter(
            pk__in=[lead_id for lead_id, _rep in moves], state=LeadState.PUBLIC, owner__isnull=True
        ).values_list("pk", flat=True)
    )
    applied = [(lead_id, rep_id) for lead_id, rep_id in moves if lead_id in still_public]
    by_rep: dict[int, list[int]] = {}
    for lead_id, rep_id in applied:
        by_rep.setdefault(rep_id, []).append(lead_id)
    for rep_id, lead_ids in by_rep.items():
        Lead.objects.filter(pk__in=lead_ids).update(
            owner_id=rep_id,
            state=LeadState.ASSIGNED,
            updated_at=now,
            follow_up_reminded_for=None,
            resolve_reminded_for=None,
            **deadlines,
        )
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=lead_id,
            kind=EventKind.ALLOCATED,
            actor=actor,
            job=job,
            from_state=LeadState.PUBLIC,
            to_state=LeadState.ASSIGNED,
            to_owner_id=rep_id,
            created_at=now,
        )
        for lead_id, rep_id in applied
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
                plans.append(allocate(team=team, job="morning allocation", now=now))
        except IntegrityError:
            continue  # another worker allocated this team a moment ago
    return plans


# --- Reclaim ------------------------------------------------------------------------------------------------------

RECLAIM_BATCH = 20_000


class ReclaimCause:
    FOLLOW_UP = "follow_up"
    RESOLVE = "resolve"
    IDLE = "idle"


RECLAIM_REASONS = {
    ReclaimCause.FOLLOW_UP: "first follow-up deadline missed",
    ReclaimCause.RESOLVE: "resolve deadline missed",
    ReclaimCause.IDLE: "private lead idle",
}


@dataclass
class ReclaimResult:
    moved: list[tuple[int, int, int | None]] = field(default_factory=list)  # (lead, old owner, new owner or None)

    @property
    def to_colleagues(self) -> int:
        return sum(1 for _lead, _old, new in self.moved if new is not None)

    @property
    def to_pool(self) -> int:
        return sum(1 for _lead, _old, new in self.moved if new is None)


def _overdue(policies: dict[int, TeamPolicy], now) -> QuerySet[Lead]:
    """Return the leads whose timer ran out: unfollowed past the first deadline, unresolved, or idle too long."""
    condition = Q(state=LeadState.ASSIGNED, follow_up_deadline__lt=now, last_follow_up_at__isnull=True) | Q(
        state=LeadState.ASSIGNED, resolve_deadline__lt=now
    )
    teams_by_idle_days: dict[int, list[int]] = {}
    for team_id, policy in policies.items():
        teams_by_idle_days.setdefault(policy.private_idle_days, []).append(team_id)
    for days, team_ids in teams_by_idle_days.items():
        idle_since = now - timedelta(days=days)
        private = Q(state=LeadState.PRIVATE, team_id__in=team_ids)
        condition |= private & (
            Q(last_follow_up_at__lt=idle_since) | Q(last_follow_up_at__isnull=True, private_since__lt=idle_since)
        )
    return Lead.objects.filter(team_id__in=list(policies)).filter(condition)


def _cause(lead, now) -> str:
    if lead["state"] == LeadState.PRIVATE:
        return ReclaimCause.IDLE
    if lead["last_follow_up_at"] is None and lead["follow_up_deadline"] and lead["follow_up_deadline"] < now:
        return ReclaimCause.FOLLOW_UP
    return ReclaimCause.RESOLVE


def plan_reclaim(policies: dict[int, TeamPolicy], candidates: list[dict], now) -> list[tuple[dict, int | None]]:
    """Pick each overdue lead's next owner: the active rep of its team with the fewest open assigned leads, never
    its last owner nor anyone in cooldown for it; when nobody qualifies, the public pool."""
    team_ids = {lead["team_id"] for lead in candidates}
    reps_by_team: dict[int, list[int]] = {}
    for team_id, rep_id in Membership.objects.filter(
        team_id__in=team_ids, role=Role.REP, user__is_active=True
    ).values_list("team_id", "user_id"):
        reps_by_team.setdefault(team_id, []).append(rep_id)
    reps = Membership.objects.filter(team_id__in=team_ids, role=Role.REP, user__is_active=True).values("user_id")
    load = dict(
        Lead.objects.filter(owner__in=reps, state=LeadState.ASSIGNED)
        .values_list("owner")
        .annotate(count=Count("pk"))
        .values_list("owner", "count")
    )
    longest = max(policies[team_id].reclaim_cooldown_days for team_id in team_ids)
    cooling = {}
    for lead_id, rep_id, lost_at in LeadEvent.objects.filter(
        lead_id__in=[lead["pk"] for lead in candidates],
        kind__in=LOSING_KINDS,
        created_at__gt=now - timedelta(days=longest),
    ).values_list("lead_id", "from_owner_id", "created_at"):
        cooling[(lead_id, rep_id)] = max(lost_at, cooling.get((lead_id, rep_id), lost_at))
    # Per team, a heap of (open leads, tie-break, rep): the least loaded rep is always on top.
    heaps = {
        team_id: [(load.get(rep_id, 0), rep_id, rep_id) for rep_id in team_reps]
        for team_id, team_reps in reps_by_team.items()
    }
    for heap in heaps.values():
        heapq.heapify(heap)
    plan = []
    for lead in candidates:
        heap = heaps.get(lead["team_id"], [])
        cooldown = timedelta(days=policies[lead["team_id"]].reclaim_cooldown_days)
        passed_over = []
        chosen = None
        while heap:
            entry = heapq.heappop(heap)
            count, tie, rep_id = entry
            lost_at = cooling.get((lead["pk"], rep_id))
            if rep_id == lead["owner_id"] or (lost_at is not None and lost_at > now - cooldown):
                passed_over.append(entry)
                continue
            chosen = rep_id
            heapq.heappush(heap, (count + 1, tie, rep_id))
            break
        for entry in passed_over:
            heapq.heappush(heap, entry)
        plan.append((lead, chosen))
    return plan


RECLAIM_SQL = """
WITH moves AS (
    SELECT * FROM unnest(%(leads)s::bigint[], %(old_owners)s::bigint[], %(old_states)s::text[],
                         %(new_owners)s::bigint[], %(reasons)s::text[], %(follow_ups)s::timestamptz[],
                         %(resolves)s::timestamptz[], %(idle_since)s::timestamptz[])
        AS m(lead_id, old_owner_id, old_state, new_owner_id, reason, follow_up, resolve, idle_since)
),
moved AS (
    UPDATE leads_lead AS l
       SET owner_id = m.new_owner_id,
           state = CASE WHEN m.new_owner_id IS NULL THEN 'public' ELSE 'assigned' END,
           assigned_at = CASE WHEN m.new_owner_id IS NULL THEN NULL ELSE %(now)s END,
           follow_up_deadline = CASE WHEN m.new_owner_id IS NULL THEN NULL ELSE m.follow_up END,
           resolve_deadline = CASE WHEN m.new_owner_id IS NULL THEN NULL ELSE m.resolve END,
           last_follow_up_at = NULL, private_since = NULL, follow_up_reminded_for = NULL,
           resolve_reminded_for = NULL, updated_at = %(now)s
      FROM moves AS m
     WHERE l.id = m.lead_id AND l.owner_id = m.old_owner_id AND l.state = m.old_state
       AND (   (l.state = 'assigned' AND l.follow_up_deadline < %(now)s AND l.last_follow_up_at IS NULL)
            OR (l.state = 'assigned' AND l.resolve_deadline < %(now)s)
            OR (l.state = 'private' AND COALESCE(l.last_follow_up_at, l.private_since) < m.idle_since))
 RETURNING l.id, m.old_owner_id, m.old_state, m.new_owner_id, m.reason
)
INSERT INTO pools_leadevent (lead_id, kind, actor_id, job, from_state, to_state, from_owner_id, to_owner_id, reason,
                             created_at)
SELECT id, 'reclaimed', NULL, 'reclaim', old_state, CASE WHEN new_owner_id IS NULL THEN 'public' ELSE 'assigned' END,
       old_owner_id, new_owner_id, reason, %(now)s
  FROM moved
RETURNING lead_id, from_owner_id, to_owner_id
"""


def _apply_reclaim(plan, policies: dict[int, TeamPolicy], now) -> list[tuple[int, int, int | None]]:
    """Move each planned lead if it is still as it was read (same owner and state, still overdue)."""
    if not plan:
        return []
    deadlines = {team_id: deadlines_from(policy, now) for team_id, policy in policies.items()}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                RECLAIM_SQL,
                {
                    "leads": [lead["pk"] for lead, _new in plan],
                    "old_owners": [lead["owner_id"] for lead, _new in plan],
                    "old_states": [lead["state"] for lead, _new in plan],
                    "new_owners": [new for _lead, new in plan],
                    "reasons": [RECLAIM_REASONS[_cause(lead, now)] for lead, _new in plan],
                    "follow_ups": [deadlines[lead["team_id"]]["follow_up_deadline"] for lead, _new in plan],
                    "resolves": [deadlines[lead["team_id"]]["resolve_deadline"] for lead, _new in plan],
                    "idle_since": [
                        now - timedelta(days=policies[lead["team_id"]].private_idle_days) for lead, _new in plan
                    ],
                    "now": now,
                },
            )
            return cursor.fetchall()
    # SQLite: writers are serialised; each lead is still re-checked against what was read.
    moved = []
    overdue = _overdue(policies, now)
    for lead, new_owner in plan:
        fields = {
            "owner_id": new_owner,
            "updated_at": now,
            "follow_up_reminded_for": None,
            "resolve_reminded_for": None,
        }
        if new_owner:
            fields |= {"state": LeadState.ASSIGNED, **deadlines[lead["team_id"]]}
        else:
            fields |= {"state": LeadState.PUBLIC, "assigned_at": None, "last_follow_up_at": None}
            fields |= {"private_since": None, **NO_DEADLINES}
        if overdue.filter(pk=lead["pk"], owner_id=lead["owner_id"], state=lead["state"]).update(**fields):
            moved.append((lead, new_owner))
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=lead["pk"],
            kind=EventKind.RECLAIMED,
            job="reclaim",
            from_state=lead["state"],
            to_state=LeadState.ASSIGNED if new_owner else LeadState.PUBLIC,
            from_owner_id=lead["owner_id"],
            to_owner_id=new_owner,
            reason=RECLAIM_REASONS[_cause(lead, now)],
            created_at=now,
        )
        for lead, new_owner in moved
    )
    return [(lead["pk"], lead["owner_id"], new_owner) for lead, new_owner in moved]


def reclaim_overdue(*, now=None, batch_size: int = RECLAIM_BATCH) -> ReclaimResult:
    """Take back every lead whose timer ran out and give it to a colleague (or the pool); notify who is concerned.

    Works in bounded batches across all teams. Safe to run twice at once: a second run skips the rows the first
    has locked, and every move re-checks the state it read, so a follow-up that commits first keeps the lead.
    """
    now = now or timezone.now()
    result = ReclaimResult()
    policies = active_policies()
    if not policies:
        return result
    while True:
        with transaction.atomic():
            candidates = list(
                _overdue(policies, now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values(
                    "pk", "team_id", "owner_id", "state", "company_name", "follow_up_deadline", "last_follow_up_at"
                )[:batch_size]
            )
            if not candidates:
                break
            moved = _apply_reclaim(plan_reclaim(policies, candidates, now), policies, now)
            _notify_reclaim(moved, candidates, now)
            result.moved.extend(moved)
        if len(candidates) < batch_size:
            break
    return result


def _companies(lead_ids, names, limit=5) -> str:
    listed = "、".join(names[lead_id] for lead_id in lead_ids[:limit])
    return listed + (f" … (+{len(lead_ids) - limit})" if len(lead_ids) > limit else "")


def _notify_reclaim(moved, candidates, now) -> None:
    """Tell each old owner, each new owner and the teams' managers: one message each per batch."""
    if not moved:
        return
    names = {lead["pk"]: lead["company_name"] for lead in candidates}
    team_of = {lead["pk"]: lead["team_id"] for lead in candidates}
    lost: dict[int, list[int]] = {}
    gained: dict[int, list[int]] = {}
    lost_by_team: dict[int, dict[int, int]] = {}
    for lead_id, old_owner, new_owner in moved:
        lost.setdefault(old_owner, []).append(lead_id)
        if new_owner is not None:
            gained.setdefault(new_owner, []).append(lead_id)
        per_rep = lost_by_team.setdefault(team_of[lead_id], {})
        per_rep[old_owner] = per_rep.get(old_owner, 0) + 1
    rep_names = dict(User.objects.filter(pk__in=list(lost)).values_list("pk", "username"))
    for_managers: dict[int, dict[int, int]] = {}
    for team_id, manager_id in Membership.objects.filter(
        team_id__in=list(lost_by_team), role=Role.MANAGER, user__is_active=True
    ).values_list("team_id", "user_id"):
        for rep_id, count in lost_by_team[team_id].items():
            for_managers.setdefault(manager_id, {})[rep_id] = count
    Kind = Notification.Kind

    def about(user_id, kind, leads):
        params = {"count": len(leads), "companies": _companies(leads, names)}
        return Notification(user_id=user_id, kind=kind, params=params, created_at=now)

    notify(
        [
            *(about(user_id, Kind.RECLAIMED, leads) for user_id, leads in lost.items()),
            *(about(user_id, Kind.REASSIGNED, leads) for user_id, leads in gained.items()),
            *(
                Notification(
                    user_id=manager_id,
                    kind=Kind.TEAM_RECLAIMED,
                    params={
                        "count": sum(per_rep.values()),
                        "reps": ", ".join(f"{rep_names.get(rep, rep)} ({count})" for rep, count in per_rep.items()),
                    },
                    created_at=now,
                )
                for manager_id, per_rep in for_managers.items()
            ),
        ]
    )


# --- Reminders ----------------------------------------------------------------------------------------------------


def send_reminders(*, now=None) -> int:
    """Remind owners of leads whose deadline falls within the team's reminder window, once per deadline."""
    now = now or timezone.now()
    reminded = 0
    for policy in TeamPolicy.objects.filter(team__is_active=True).select_related("team"):
        horizon = now + timedelta(hours=policy.remind_before_hours)
        assigned = Lead.objects.filter(team_id=policy.team_id, state=LeadState.ASSIGNED)
        due = {}
        with transaction.atomic():
            follow_up = assigned.filter(
                last_follow_up_at__isnull=True, follow_up_deadline__gt=now, follow_up_deadline__lte=horizon
            ).exclude(follow_up_reminded_for=F("follow_up_deadline"))
            resolve = assigned.filter(resolve_deadline__gt=now, resolve_deadline__lte=horizon).exclude(
                resolve_reminded_for=F("resolve_deadline")
            )
            for lead in follow_up.select_for_update(skip_locked=True).values("pk", "owner_id", "company_name"):
                due.setdefault(lead["owner_id"], {})[lead["pk"]] = lead["company_name"]
            for lead in resolve.select_for_update(skip_locked=True).values("pk", "owner_id", "company_name"):
                due.setdefault(lead["owner_id"], {})[lead["pk"]] = lead["company_name"]
            follow_up.filter(pk__in=[pk for leads in due.values() for pk in leads]).update(
                follow_up_reminded_for=F("follow_up_deadline")
            )
            resolve.filter(pk__in=[pk for leads in due.values() for pk in leads]).update(
                resolve_reminded_for=F("resolve_deadline")
            )
            notify(
                [
                    Notification(
                        user_id=owner_id,
                        kind=Notification.Kind.REMINDER,
                        params={
                            "count": len(leads),
                            "hours": policy.remind_before_hours,
                            "companies": _companies(list(leads), leads),
                        },
                        created_at=now,
                    )
                    for owner_id, leads in due.items()
                ]
            )
        reminded += sum(len(leads) for leads in due.values())
    return reminded
