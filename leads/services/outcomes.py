"""What becomes of an owned lead in the end: a customer, or closed with a reason; and a closed lead reopened."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, require_manager_of, require_owner_or_manager
from core.errors import DomainError
from core.models import User
from core.policy import policy_for
from leads.lifecycle import OPEN_STATES, move_lead
from leads.models import CloseReason, EventKind, EventReason, Lead, LeadState, Stage


def make_customer(
    lead: Lead, *, actor: User, now, reason_code: str = "", details: dict | None = None, reason: str = ""
) -> None:
    """Turn an open lead whose row the caller has locked into its owner's customer: out of every pool and timer."""
    move_lead(
        lead,
        LeadState.CUSTOMER,
        kind=EventKind.CONVERTED,
        now=now,
        actor=actor,
        reason=reason,
        reason_code=reason_code,
        details=details,
    )
    lead.state = LeadState.CUSTOMER


# The rule for customers: a lead becomes its owner's customer when its signed contract is recorded (the pipeline's
# evidence, deals.services.sign_contract). Without a contract only a manager of its team makes it one, saying why
# (say, a customer signed on paper before the CRM); the manager can take the status back, also saying why. A rep has
# no one-tap convert: customers sit outside every pool and timer, so it would let a rep keep leads past the private
# cap and out of reach of the reclaim.
REASON_LENGTH = 255


def _reason_given(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why: the reason is kept in the lead's history."))
    if len(reason) > REASON_LENGTH:
        raise DomainError(_("Keep the reason under %(count)d characters.") % {"count": REASON_LENGTH})
    return reason


def has_signed_contract(lead: Lead) -> bool:
    """Whether a customer stands on a signed contract (else it stands on a manager's decision)."""
    return lead.contracts.standing().exists()


def convert_lead(*, actor: User, lead: Lead, reason: str) -> Lead:
    """Make an owned lead its owner's customer without a contract: a manager of its team only, with the reason."""
    reason = _reason_given(reason)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        require_manager_of(actor, current.team_id)
        if current.state not in OPEN_STATES or current.owner_id is None:
            raise DomainError(_("Only an assigned or private lead can become a customer."))
        make_customer(current, actor=actor, now=timezone.now(), reason_code="", details=None, reason=reason)
    lead.refresh_from_db()
    return lead


def withdraw_customer(*, actor: User, lead: Lead, reason: str) -> Lead:
    """Take back the customer status of a lead that has no signed contract (a manager of its team, with the reason):
    it goes back to its owner as an assigned lead, both timers started again, so the pools' rules apply to it."""
    reason = _reason_given(reason)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        require_manager_of(actor, current.team_id)
        if current.state != LeadState.CUSTOMER:
            raise DomainError(_("This lead is not a customer."))
        if has_signed_contract(current):
            raise DomainError(_("This customer has a signed contract; correct the contract instead."))
        move_lead(
            current,
            LeadState.ASSIGNED,
            kind=EventKind.UNCONVERTED,
            now=timezone.now(),
            expect={"state": LeadState.CUSTOMER},
            actor=actor,
            reason=reason,
            owner=current.owner,
            policy=policy_for(current.team),
        )
    lead.refresh_from_db()
    return lead


def close_lead(*, actor: User, lead: Lead, reason: str, note: str = "") -> Lead:
    """Close a lead as dead, with a reason from the list (and words of one's own for "other")."""
    note = (note or "").strip()
    if reason not in CloseReason.values:
        raise DomainError(_("Choose why the lead is closed."))
    if reason == CloseReason.OTHER and not note:
        raise DomainError(_("Say why the lead is closed."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        require_owner_or_manager(actor, owner_id=current.owner_id, team_id=current.team_id)
        closable = (*OPEN_STATES, LeadState.PUBLIC) if current.team_id in managed_team_ids(actor) else OPEN_STATES
        if current.state not in closable:
            raise DomainError(_("This lead cannot be closed now (%(state)s).") % {"state": current.get_state_display()})
        move_lead(
            current,
            LeadState.CLOSED,
            kind=EventKind.CLOSED,
            now=timezone.now(),
            actor=actor,
            reason=note,
            reason_code=EventReason.CLOSED,
            details={"close_reason": reason},
            close_reason=reason,
            close_note=note,
        )
    lead.refresh_from_db()
    return lead


def reopen_lead(*, actor: User, lead: Lead) -> Lead:
    """Put a closed lead back in its team's public pool, as a new deal (managers only)."""
    require_manager_of(actor, lead.team_id)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if current.state != LeadState.CLOSED:
            raise DomainError(_("Only a closed lead can be reopened."))
        move_lead(
            current,
            LeadState.PUBLIC,
            kind=EventKind.REOPENED,
            now=timezone.now(),
            actor=actor,
            extra={"stage": Stage.NEW},
        )
    lead.refresh_from_db()
    return lead
