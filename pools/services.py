"""Moving leads between pools and owners: claim, keep (with the swap at the cap), return, assign, reopen.

Every operation takes the acting user, checks role and state itself, runs in one transaction and writes its lead
events in it. Ownership changes are conditional UPDATEs whose row count says who won, so two people acting on one
lead at the same moment cannot both succeed.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import Membership, Role, Team, User
from crm.selectors import team_of_rep
from leads.models import Lead, LeadState
from pools.events import event_for, record_event
from pools.models import EventKind, LeadEvent, PoolPolicy
from pools.policy import NO_DEADLINES, deadlines_from, policy_for, start_of_day

OPEN_STATES = (LeadState.ASSIGNED, LeadState.PRIVATE)
LOSING_KINDS = (EventKind.RETURNED, EventKind.RECLAIMED)


def require_rep_team(actor: User) -> Team:
    """Return the team of a rep, or refuse anyone who is not an active rep."""
    team = team_of_rep(actor) if actor.is_active and actor.role == Role.REP else None
    if team is None:
        raise DomainError(_("Only a rep of a team can do this."))
    return team


def managed_team_ids(actor: User) -> set[int]:
    """Return the ids of the teams `actor` may manage (every team for an admin)."""
    if not actor.is_active:
        return set()
    if actor.role == Role.ADMIN:
        return set(Team.objects.values_list("pk", flat=True))
    return set(Membership.objects.filter(user=actor, role=Role.MANAGER).values_list("team_id", flat=True))


def require_manager_of(actor: User, team_id: int) -> None:
    if team_id not in managed_team_ids(actor):
        raise DomainError(_("Only a manager of this lead's team can do this."))


def lock_rep(rep: User) -> None:
    """Serialise one rep's cap and limit checks: whoever holds the lock counts, acts, and commits first."""
    User.objects.select_for_update().filter(pk=rep.pk).first()


def cooldown_until(rep: User, lead: Lead, policy: PoolPolicy, now=None):
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


def leads_in_cooldown(rep: User, lead_ids, policy: PoolPolicy, now) -> set[int]:
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
    rep_team = team_of_rep(rep) if rep.is_active and rep.role == Role.REP else None
    if rep_team is None or rep_team.pk not in allowed_teams:
        raise DomainError(_("%(rep)s is not an active rep of your team.") % {"rep": rep})
    policy = policy_for(rep_team)
    with transaction.atomic():
        now = timezone.now()
        # Locked in primary-key order so two managers assigning overlapping sets cannot deadlock.
        locked = list(Lead.objects.select_for_update().filter(pk__in=lead_ids, team=rep_team).order_by("pk"))
        if len(locked) != len(lead_ids):
            raise DomainError(_("Some of these leads are not in %(team)s.") % {"team": rep_team})
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
            state=LeadState.PUBLIC, owner=None, close_reason="", close_note="", assigned_at=None, updated_at=now
        )
        record_event(current, kind=EventKind.REOPENED, actor=actor, to_state=LeadState.PUBLIC, to_owner=None, at=now)
    lead.refresh_from_db()
    return lead
