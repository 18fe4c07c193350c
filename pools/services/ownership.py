"""Who holds a lead: claim from the public pool, keep in the private pool (with the swap at the cap), give back,
hand out by a manager, and the follow-ups that keep a lead with its owner.

Every act takes the acting user, checks role and state itself, runs in one transaction and writes its lead events
in it. Ownership changes are conditional UPDATEs whose row count says who won, so two people acting on one lead at
the same moment cannot both succeed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BigIntegerField, DateTimeField, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, rep_team, require_rep_team
from core.errors import DomainError
from core.locks import lock_rep
from core.models import User
from core.policy import policy_for
from core.statements import Slot, Statement
from hooks.models import HookEvent
from hooks.outbox import publish
from leads.lifecycle import OPEN_STATES, move_lead, move_locked_leads
from leads.models import EventKind, EventReason, Lead, LeadState
from pools.cooldown import cooldown_until, leads_in_cooldown
from pools.selectors import claims_today, private_count


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
        # The conditional update only wins on a public, ownerless lead, so that is the state the event starts from.
        was_public = Lead(pk=lead.pk, team_id=lead.team_id, state=LeadState.PUBLIC, owner=None)
        won = move_lead(
            was_public,
            LeadState.ASSIGNED,
            kind=EventKind.CLAIMED,
            now=now,
            expect={"team": team, "state": LeadState.PUBLIC, "owner__isnull": True},
            actor=actor,
            owner=actor,
            policy=policy,
        )
        if not won:
            raise DomainError(_("Someone else claimed this lead a moment ago; it is no longer in the pool."))
        publish(
            HookEvent.LEAD_CLAIMED,
            [(team.pk, {"lead": lead.pk, "company": lead.company_name, "rep": actor.pk})],
            at=now,
        )
    lead.refresh_from_db()
    return lead


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
            gave_back = returned is not None and move_lead(
                returned,
                LeadState.PUBLIC,
                kind=EventKind.RETURNED,
                now=now,
                expect={"owner": actor, "state": LeadState.PRIVATE},
                actor=actor,
                reason_code=EventReason.SWAPPED_OUT,
                details={"company": current.company_name},
            )
            if not gave_back:
                raise DomainError(_("The lead to give back is no longer in your private pool."))
        kept = move_lead(
            current,
            LeadState.PRIVATE,
            kind=EventKind.KEPT,
            now=now,
            expect={"owner": actor, "state": LeadState.ASSIGNED},
            actor=actor,
        )
        if not kept:
            # Raising undoes the give-back above with the rest of the transaction.
            raise DomainError(
                _("%(company)s was taken from you a moment ago; nothing was given back.")
                % {"company": current.company_name}
            )
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
        returned = current is not None and move_lead(
            current,
            LeadState.PUBLIC,
            kind=EventKind.RETURNED,
            now=now,
            expect={"owner": actor, "state__in": OPEN_STATES},
            actor=actor,
            reason=reason,
        )
        if not returned:
            raise DomainError(_("This lead is not yours to return."))
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
        if any(lead.owner_id for lead in movable) and not (reason or "").strip():
            raise DomainError(
                _("Say why: some of these leads are taken from another rep, and the reason stays on their history.")
            )
        move_locked_leads(
            movable,
            LeadState.ASSIGNED,
            kind_of=lambda lead: EventKind.ASSIGNED if lead.owner_id is None else EventKind.REASSIGNED,
            now=now,
            actor=actor,
            reason=reason,
            owner=rep,
            policy=policy,
        )
        result.assigned = movable
        publish(
            HookEvent.LEAD_ALLOCATED,
            [
                (team.pk, {"lead": lead.pk, "company": lead.company_name, "rep": rep.pk, "by": actor.pk})
                for lead in movable
            ],
            at=now,
        )
    return result


# --- Follow-ups ---------------------------------------------------------------------------------------------------


# Run at every visit's entry: compiled once.
_CREDIT_FOLLOW_UP = Statement(
    lambda: Lead.objects.filter(
        pk=Slot("lead", BigIntegerField()), owner_id=Slot("owner", BigIntegerField()), state__in=OPEN_STATES
    ),
    update=lambda: {
        "last_follow_up_at": Greatest(
            Coalesce("last_follow_up_at", Slot("at", DateTimeField())), Slot("at", DateTimeField())
        ),
        "updated_at": Slot("now", DateTimeField()),
    },
)


def record_follow_up(*, actor: User, lead: Lead, at=None) -> bool:
    """Credit a follow-up to the lead's owner, restarting its idle timer; return False if the lead has moved.

    The lead row is locked, so a follow-up and the reclaim job cannot both win: whichever commits first does.
    The caller keeps its own record (a visit, a call) either way and tells the rep when this returns False.
    """
    at = at or timezone.now()
    # One conditional UPDATE: it takes the row's lock, and PostgreSQL checks the owner and state again once it has it,
    # so against a reclaim committing first it finds the lead gone and changes nothing. The latest follow-up wins.
    return bool(_CREDIT_FOLLOW_UP.update(lead=lead.pk, owner=actor.pk, at=at, now=timezone.now()))


def withdraw_follow_up(*, lead_id: int, credited_at_latest, now) -> None:
    """Take back the credit of a follow-up found false: the lead's last follow-up is its owner's latest true one.

    `credited_at_latest` is when that true follow-up happened (None if there is none). The caller holds the
    transaction; the lead row is locked here so the reclaim job sees either the old credit or the new.
    """
    Lead.objects.select_for_update().filter(pk=lead_id).first()
    Lead.objects.filter(pk=lead_id).update(last_follow_up_at=credited_at_latest, updated_at=now)
