"""What becomes of an owned lead in the end: a customer, or closed with a reason; and a closed lead reopened."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, require_manager_of, require_owner_or_manager
from core.errors import DomainError
from core.models import User
from leads.lifecycle import OPEN_STATES, move_lead
from leads.models import CloseReason, EventKind, EventReason, Lead, LeadState, Stage


def make_customer(lead: Lead, *, actor: User, now, reason_code: str = "", details: dict | None = None) -> None:
    """Turn an open lead whose row the caller has locked into its owner's customer: out of every pool and timer."""
    move_lead(
        lead,
        LeadState.CUSTOMER,
        kind=EventKind.CONVERTED,
        now=now,
        actor=actor,
        reason_code=reason_code,
        details=details,
    )
    lead.state = LeadState.CUSTOMER


def convert_lead(*, actor: User, lead: Lead) -> Lead:
    """Make an open lead a customer of its owner; it leaves every pool and the private count."""
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        require_owner_or_manager(actor, owner_id=current.owner_id, team_id=current.team_id)
        if current.state not in OPEN_STATES or current.owner_id is None:
            raise DomainError(_("Only an assigned or private lead can become a customer."))
        make_customer(current, actor=actor, now=timezone.now())
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
