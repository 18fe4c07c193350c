"""Adding a lead: the duplicate check (company name and phones, across every team) and the collisions it finds."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, rep_team
from core.errors import DomainError
from core.models import Role, Team, User
from core.params import whole_number
from core.policy import policy_for
from leads.duplicates import find_duplicate
from leads.imports import COLUMNS
from leads.lifecycle import OPEN_STATES, fields_entering, record_event
from leads.models import Collision, EventKind, Lead, LeadSource, LeadState, PositionSource
from leads.normalize import company_key, phone_key
from leads.values import as_one_message, position_fields, problems_with


def lead_keys(values: dict) -> dict:
    """Return the duplicate-check keys of a lead's company name and phones."""
    return {
        "company_key": company_key(values.get("company_name", "")),
        "phone_key": phone_key(values.get("phone", "")),
        "second_phone_key": phone_key(values.get("second_phone", "")),
    }


def describe_duplicate(existing: Lead, actor: User) -> str:
    """Return what the user is told about the lead their entry matches."""
    if existing.owner_id == actor.pk:
        return _("You already own this lead: %(company)s.") % {"company": existing.company_name}
    if existing.owner_id is not None and existing.state in (*OPEN_STATES, LeadState.CUSTOMER):
        return _("%(company)s is already owned by %(owner)s (%(team)s).") % {
            "company": existing.company_name,
            "owner": existing.owner,
            "team": existing.team,
        }
    if existing.state == LeadState.PUBLIC:
        return _("%(company)s is already in the public pool of %(team)s.") % {
            "company": existing.company_name,
            "team": existing.team,
        }
    return _("%(company)s already exists (%(state)s).") % {
        "company": existing.company_name,
        "state": existing.get_state_display(),
    }


def record_collision(*, existing: Lead, actor: User, company_name: str, phone: str, source: str) -> Collision | None:
    """Note an attempt to add a lead another rep owns, so the managers see it; return None if it is no collision."""
    if existing.owner_id is None or existing.owner_id == actor.pk:
        return None
    return Collision.objects.create(
        lead=existing,
        owner_id=existing.owner_id,
        attempted_by=actor,
        company_name=company_name[:200],
        phone=phone[:50],
        source=source,
    )


def create_lead(*, actor: User, values: dict, team: Team | None = None, source: str = LeadSource.MANUAL) -> Lead:
    """Add a lead: a rep's becomes theirs (assigned, timers running), a manager's goes to the team's public pool.

    A lead matching an existing one is not created; if another rep owns the match, a collision is recorded and the
    message names the owner.
    """
    values = {name: " ".join(str(values.get(name) or "").split()) for name in COLUMNS}
    if not values["company_name"] or not company_key(values["company_name"]):
        raise DomainError(_("Enter the company name."))
    problems = problems_with(values)
    if problems:
        raise DomainError(as_one_message(problems))
    if actor.role == Role.REP:
        team = rep_team(actor)
        owner = actor
    elif team is None or team.pk not in managed_team_ids(actor):
        raise DomainError(_("Only a rep or a manager of the team can add leads."))
    else:
        owner = None
    if team is None:
        raise DomainError(_("Only a rep or a manager of the team can add leads."))
    existing = find_duplicate(values["company_name"], values["phone"], values["second_phone"])
    if existing is not None:
        record_collision(
            existing=existing, actor=actor, company_name=values["company_name"], phone=values["phone"], source=source
        )
        raise DomainError(describe_duplicate(existing, actor))
    keys = lead_keys(values)
    priority = values.pop("priority")
    # A position a rep types is no evidence of where the company is; a manager's is.
    position = position_fields(values, PositionSource.MANAGER)
    if owner is not None:
        position = {}
    now = timezone.now()
    if owner is None:
        ownership = fields_entering(LeadState.PUBLIC, now=now)
    else:
        ownership = fields_entering(LeadState.ASSIGNED, now=now, owner=owner, policy=policy_for(team))
    with transaction.atomic():
        lead = Lead(
            team=team,
            source=source,
            priority=whole_number(priority, maximum=9) or 0,
            **values,
            **keys,
            **ownership,
            **position,
        )
        lead.save()
        record_event(
            Lead(pk=lead.pk, team_id=lead.team_id, state=""),
            kind=EventKind.CREATED,
            actor=actor,
            to_state=lead.state,
            to_owner_id=lead.owner_id,
            at=now,
        )
    return lead
