"""Domain operations on leads themselves: create with the duplicate check, convert, close, import and export."""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids, rep_team, require_owner_or_manager
from core.errors import DomainError
from core.models import Role, Team, User
from core.policy import policy_for
from leads.deadlines import NO_DEADLINES, deadlines_from
from leads.duplicates import find_duplicate, match_condition
from leads.imports import COLUMNS, EXPORT_HEADERS, Row, decode, parse
from leads.models import (
    STAGE_PATH,
    CloseReason,
    Collision,
    Contract,
    Lead,
    LeadImport,
    LeadSource,
    LeadState,
    Payment,
    PaymentMethod,
    Proposal,
    Stage,
)
from leads.normalize import company_key, phone_key
from pools.events import event_for, record_event
from pools.models import EventKind, LeadEvent
from pools.services import OPEN_STATES

IMPORT_BATCH = 2000
PHONE_LIKE = re.compile(r"\+[\d\s()-]+")


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
    now = timezone.now()
    ownership = {"state": LeadState.PUBLIC}
    if owner is not None:
        ownership = {"owner": owner, "state": LeadState.ASSIGNED, **deadlines_from(policy_for(team), now)}
    with transaction.atomic():
        lead = Lead(
            team=team, source=source, priority=int(priority) if priority.isdigit() else 0, **values, **keys, **ownership
        )
        lead.save()
        record_event(
            Lead(pk=lead.pk, state=""),
            kind=EventKind.CREATED,
            actor=actor,
            to_state=lead.state,
            to_owner=owner,
            at=now,
        )
    return lead


def _make_customer(lead: Lead, *, actor: User, now, reason: str = "") -> None:
    """Turn a locked open lead into its owner's customer: out of every pool and timer, with its event."""
    Lead.objects.filter(pk=lead.pk).update(state=LeadState.CUSTOMER, private_since=None, updated_at=now, **NO_DEADLINES)
    record_event(
        lead,
        kind=EventKind.CONVERTED,
        actor=actor,
        to_state=LeadState.CUSTOMER,
        to_owner=lead.owner,
        at=now,
        reason=reason,
    )
    lead.state = LeadState.CUSTOMER


def convert_lead(*, actor: User, lead: Lead) -> Lead:
    """Make an open lead a customer of its owner; it leaves every pool and the private count."""
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        require_owner_or_manager(actor, owner_id=current.owner_id, team_id=current.team_id)
        if current.state not in OPEN_STATES or current.owner_id is None:
            raise DomainError(_("Only an assigned or private lead can become a customer."))
        _make_customer(current, actor=actor, now=timezone.now())
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
        now = timezone.now()
        Lead.objects.filter(pk=lead.pk).update(
            state=LeadState.CLOSED,
            stage=Stage.CLOSED,
            owner=None,
            close_reason=reason,
            close_note=note[:200],
            private_since=None,
            updated_at=now,
            **NO_DEADLINES,
        )
        record_event(
            current,
            kind=EventKind.CLOSED,
            actor=actor,
            to_state=LeadState.CLOSED,
            to_owner=None,
            at=now,
            reason=f"{CloseReason(reason).label}{': ' + note if note else ''}",
        )
    lead.refresh_from_db()
    return lead


@dataclass
class ImportPlan:
    """What committing an import would do: rows to add, rows that duplicate, rows that are wrong."""

    to_add: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    bad: list[Row] = field(default_factory=list)
    matches: dict[int, Lead] = field(default_factory=dict)  # row number: the existing lead it duplicates


def _require_import_team(actor: User, team: Team) -> None:
    if actor.role not in (Role.MANAGER, Role.ADMIN) or team.pk not in managed_team_ids(actor):
        raise DomainError(_("Only a manager of the team or an admin can import leads."))


def plan_import(rows: list[Row]) -> ImportPlan:
    """Sort parsed rows into new, duplicate (of the file itself or of any lead) and bad, with set-based look-ups."""
    plan = ImportPlan()
    seen_companies: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    candidates = []
    for row in rows:
        if row.errors:
            plan.bad.append(row)
            continue
        earlier = seen_companies.get(row.company_key) or next(
            (seen_phones[key] for key in row.phone_keys if key in seen_phones), None
        )
        if earlier:
            row.duplicate_of = _("row %(number)s of this file") % {"number": earlier}
            plan.duplicates.append(row)
            continue
        seen_companies[row.company_key] = row.number
        seen_phones.update(dict.fromkeys(row.phone_keys, row.number))
        candidates.append(row)
    by_company: dict[str, Lead] = {}
    by_phone: dict[str, Lead] = {}
    for start in range(0, len(candidates), IMPORT_BATCH):
        batch = candidates[start : start + IMPORT_BATCH]
        company_keys = {row.company_key for row in batch}
        phone_keys = {key for row in batch for key in row.phone_keys}
        existing = Lead.objects.filter(match_condition(company_keys, phone_keys)).select_related("owner", "team")
        for lead in existing.only(
            "pk", "company_name", "company_key", "phone_key", "second_phone_key", "state", "owner", "team"
        ):
            by_company.setdefault(lead.company_key, lead)
            for key in (lead.phone_key, lead.second_phone_key):
                if key:
                    by_phone.setdefault(key, lead)
    for row in candidates:
        match = by_company.get(row.company_key) or next(
            (by_phone[key] for key in row.phone_keys if key in by_phone), None
        )
        if match is None:
            plan.to_add.append(row)
        else:
            row.duplicate_of = match.company_name
            plan.matches[row.number] = match
            plan.duplicates.append(row)
    return plan


def upload_import(*, actor: User, team: Team, file_name: str, raw: bytes) -> tuple[LeadImport, ImportPlan]:
    """Store an uploaded CSV and return its preview; nothing is added until it is committed."""
    _require_import_team(actor, team)
    text, encoding = decode(raw)
    plan = plan_import(parse(text))
    lead_import = LeadImport.objects.create(
        team=team, uploaded_by=actor, file_name=file_name[:255], encoding=encoding, content=text
    )
    return lead_import, plan


def preview_import(*, actor: User, lead_import: LeadImport) -> ImportPlan:
    _require_import_team(actor, lead_import.team)
    return plan_import(parse(lead_import.content))


def commit_import(*, actor: User, lead_import: LeadImport) -> ImportPlan:
    """Add the valid, new rows of an uploaded file to its team's public pool, once."""
    _require_import_team(actor, lead_import.team)
    with transaction.atomic():
        # Imports into one team run one at a time, so two of the same file cannot both add a row.
        Team.objects.select_for_update().filter(pk=lead_import.team_id).first()
        now = timezone.now()
        if not LeadImport.objects.filter(pk=lead_import.pk, committed_at__isnull=True).update(committed_at=now):
            raise DomainError(_("This file has already been imported."))
        plan = plan_import(parse(lead_import.content))
        for row in plan.duplicates:
            match = plan.matches.get(row.number)
            if match is not None:
                record_collision(
                    existing=match,
                    actor=actor,
                    company_name=row.values["company_name"],
                    phone=row.values["phone"],
                    source=LeadSource.IMPORT,
                )
        for start in range(0, len(plan.to_add), IMPORT_BATCH):
            batch = plan.to_add[start : start + IMPORT_BATCH]
            leads = []
            for row in batch:
                values = dict(row.values)
                priority = values.pop("priority")
                leads.append(
                    Lead(
                        team_id=lead_import.team_id,
                        source=LeadSource.IMPORT,
                        state=LeadState.PUBLIC,
                        priority=int(priority or 0),
                        **values,
                        **lead_keys(row.values),
                    )
                )
            Lead.objects.bulk_create(leads)
            LeadEvent.objects.bulk_create(
                event_for(
                    Lead(pk=lead.pk, state=""),
                    kind=EventKind.IMPORTED,
                    actor=actor,
                    to_state=LeadState.PUBLIC,
                    to_owner=None,
                    at=now,
                    reason=lead_import.file_name,
                )
                for lead in leads
            )
        LeadImport.objects.filter(pk=lead_import.pk).update(added_count=len(plan.to_add))
    return plan


def _spreadsheet_safe(value) -> str:
    """Keep a cell from being run as a formula by Excel; phone numbers such as +86 138... stay as they are."""
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not PHONE_LIKE.fullmatch(text)):
        return "'" + text
    return text


def export_csv(leads) -> bytes:
    """Return leads as a CSV that Excel opens correctly: UTF-8 with a byte-order mark, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = list(EXPORT_HEADERS)
    writer.writerow([*EXPORT_HEADERS.values(), "状态 state", "负责人 owner"])
    for lead in leads.select_related("owner").iterator(chunk_size=2000):
        cells = [*(getattr(lead, name) for name in names), lead.get_state_display(), lead.owner or ""]
        writer.writerow([_spreadsheet_safe(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- Pipeline -----------------------------------------------------------------------------------------------------

WORKING_STATES = (*OPEN_STATES, LeadState.CUSTOMER)


def _require_deal_owner(actor: User, lead: Lead) -> None:
    """Deals are worked by their owner, or by a manager of the team."""
    if lead.state not in WORKING_STATES:
        raise DomainError(_("Only an owned lead or a customer has a deal to move on."))
    require_owner_or_manager(actor, owner_id=lead.owner_id, team_id=lead.team_id)


def _set_stage(lead: Lead, stage: str, *, actor: User | None, now, reason: str = "") -> None:
    """Move the deal to `stage` and leave an event saying from where, to where and why."""
    if lead.stage == stage:
        return
    Lead.objects.filter(pk=lead.pk).update(stage=stage, updated_at=now)
    label = _("%(from)s → %(to)s") % {"from": Stage(lead.stage).label, "to": Stage(stage).label}
    record_event(
        lead,
        kind=EventKind.STAGE,
        actor=actor,
        to_state=lead.state,
        to_owner=lead.owner,
        at=now,
        reason=f"{label}{': ' + reason if reason else ''}",
    )
    lead.stage = stage


def stage_reached(lead: Lead, stage: str) -> bool:
    return lead.stage in STAGE_PATH and STAGE_PATH.index(lead.stage) >= STAGE_PATH.index(stage)


def note_visit(*, actor: User, lead: Lead, effective: bool, at=None) -> None:
    """A visit moves a new deal to "contacted", an effective one to "effective visit" (never backwards)."""
    target = Stage.EFFECTIVE_VISIT if effective else Stage.CONTACTED
    if lead.owner_id == actor.pk and lead.state in WORKING_STATES and not stage_reached(lead, target):
        _set_stage(lead, target, actor=actor, now=at or timezone.now())


def confirm_need(*, actor: User, lead: Lead, need: str) -> Lead:
    """Record the customer's confirmed need; it takes an effective visit first."""
    need = (need or "").strip()
    if not need:
        raise DomainError(_("Describe the need the customer confirmed."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_deal_owner(actor, current)
        if not stage_reached(current, Stage.EFFECTIVE_VISIT):
            raise DomainError(_("A need is confirmed with a decision-maker: log an effective visit first."))
        Lead.objects.filter(pk=lead.pk).update(confirmed_need=need)
        if not stage_reached(current, Stage.NEEDS_CONFIRMED):
            _set_stage(current, Stage.NEEDS_CONFIRMED, actor=actor, now=timezone.now())
    lead.refresh_from_db()
    return lead


def add_proposal(*, actor: User, lead: Lead, amount, file=None) -> Proposal:
    """Attach a proposal (amount, optional file); it follows a confirmed need."""
    amount = _money(amount)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_deal_owner(actor, current)
        if not stage_reached(current, Stage.NEEDS_CONFIRMED):
            raise DomainError(_("Confirm the customer's need before sending a proposal."))
        proposal = Proposal.objects.create(lead=current, amount=amount, file=file or "", created_by=actor)
        if not stage_reached(current, Stage.PROPOSAL):
            _set_stage(current, Stage.PROPOSAL, actor=actor, now=timezone.now())
    return proposal


def sign_contract(*, actor: User, lead: Lead, number: str, amount, signed_on, term_months: int) -> Contract:
    """Record a signed contract: the lead becomes a customer of its owner and leaves the pools."""
    amount = _money(amount)
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Enter the contract number."))
    if term_months is None or term_months < 1:
        raise DomainError(_("The term is at least one month."))
    if signed_on > timezone.localdate():
        raise DomainError(_("A contract cannot be signed in the future."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_deal_owner(actor, current)
        if not stage_reached(current, Stage.PROPOSAL):
            raise DomainError(_("A contract follows a proposal: add the proposal first."))
        if Contract.objects.filter(number=number).exists():
            raise DomainError(_("Contract number %(number)s is already used.") % {"number": number})
        contract = Contract.objects.create(
            lead=current,
            number=number,
            amount=amount,
            signed_on=signed_on,
            term_months=term_months,
            signed_by_id=current.owner_id,
        )
        now = timezone.now()
        if current.state in OPEN_STATES:
            _make_customer(current, actor=actor, now=now, reason=_("Contract %(number)s signed") % {"number": number})
        _set_stage(current, Stage.CONTRACT_SIGNED, actor=actor, now=now)
    return contract


def record_payment(*, actor: User, contract: Contract, amount, received_on, method: str) -> Payment:
    """Record money received; once payments cover the contract, the deal reaches "payment collected"."""
    amount = _money(amount)
    if method not in PaymentMethod.values:
        raise DomainError(_("Choose how the money was paid."))
    if received_on > timezone.localdate():
        raise DomainError(_("A payment cannot be received in the future."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=contract.lead_id)
        _require_deal_owner(actor, current)
        payment = Payment.objects.create(
            contract=contract, amount=amount, received_on=received_on, method=method, recorded_by=actor
        )
        paid = Payment.objects.filter(contract=contract).aggregate(total=Sum("amount"))["total"]
        if paid >= contract.amount and current.stage == Stage.CONTRACT_SIGNED:
            _set_stage(current, Stage.PAYMENT_COLLECTED, actor=actor, now=timezone.now())
    return payment


def move_stage_back(*, actor: User, lead: Lead, to_stage: str, reason: str) -> Lead:
    """Step a deal back along the path (say, a proposal rejected), always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the deal moves back."))
    if to_stage not in STAGE_PATH:
        raise DomainError(_("Choose a stage of the path."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_deal_owner(actor, current)
        if current.stage not in STAGE_PATH or STAGE_PATH.index(to_stage) >= STAGE_PATH.index(current.stage):
            raise DomainError(_("A deal can only move back to an earlier stage."))
        if current.state == LeadState.CUSTOMER and STAGE_PATH.index(to_stage) < STAGE_PATH.index(Stage.CONTRACT_SIGNED):
            raise DomainError(_("A customer's signed contract stays signed."))
        _set_stage(current, to_stage, actor=actor, now=timezone.now(), reason=reason)
    lead.refresh_from_db()
    return lead


def _money(value) -> Decimal:
    """Money is Decimal with two places, and positive."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Enter an amount in yuan, e.g. 12800.00.")) from None
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."))
    return amount
