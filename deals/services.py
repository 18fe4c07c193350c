"""The pipeline: a deal moves along its stages only with the evidence each step needs.

A visit moves a new deal to "contacted" (an effective one to "effective visit"); then a confirmed need, a proposal,
a signed contract (which makes the lead a customer), and payments until the contract is paid. Moving back always
takes a reason. Every change of stage leaves a lead event.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import BigIntegerField, CharField, DateTimeField, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_owner_or_manager
from core.calendar import local_day
from core.errors import DomainError
from core.models import User
from core.statements import Slot, Statement
from deals.models import Contract, Payment, PaymentMethod, Proposal
from hooks.models import HookEvent
from hooks.outbox import publish
from leads.lifecycle import OPEN_STATES, WORKING_STATES, record_event
from leads.models import STAGE_PATH, EventKind, EventReason, Lead, LeadState, Stage
from leads.services.outcomes import make_customer


def _require_deal_owner(actor: User, lead: Lead) -> None:
    """Deals are worked by their owner, or by a manager of the team."""
    if lead.state not in WORKING_STATES:
        raise DomainError(_("Only an owned lead or a customer has a deal to move on."))
    require_owner_or_manager(actor, owner_id=lead.owner_id, team_id=lead.team_id)


# Run at most visits' entry (a first contact, a first effective visit): compiled once.
_MOVE_STAGE = Statement(
    lambda: Lead.objects.filter(pk=Slot("lead", BigIntegerField())),
    update=lambda: {"stage": Slot("stage", CharField()), "updated_at": Slot("now", DateTimeField())},
)


def _set_stage(lead: Lead, stage: str, *, actor: User | None, now, reason: str = "") -> None:
    """Move the deal to `stage` and leave an event saying from where, to where and why."""
    if lead.stage == stage:
        return
    _MOVE_STAGE.update(lead=lead.pk, stage=stage, now=now)
    _deal_event(
        lead,
        kind=EventKind.STAGE,
        actor=actor,
        now=now,
        reason=reason,
        code=EventReason.STAGE_CHANGED,
        details={"from": lead.stage, "to": stage},
    )
    lead.stage = stage


def _deal_event(lead: Lead, *, kind: str, actor: User | None, now, reason: str, code: str, details: dict) -> None:
    """An event of the deal on the lead's history; the lead stays where and whose it is."""
    record_event(
        lead,
        kind=kind,
        actor=actor,
        to_state=lead.state,
        to_owner_id=lead.owner_id,
        at=now,
        reason=reason,
        reason_code=code,
        details=details,
    )


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
    if signed_on > local_day(lead.team):
        raise DomainError(_("A contract cannot be signed in the future."))
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_deal_owner(actor, current)
        if not stage_reached(current, Stage.PROPOSAL):
            raise DomainError(_("A contract follows a proposal: add the proposal first."))
        if Contract.objects.standing().filter(number=number).exists():
            raise DomainError(_("Contract number %(number)s is already used.") % {"number": number})
        contract = Contract.objects.create(
            lead=current,
            number=number,
            amount=amount,
            signed_on=signed_on,
            term_months=term_months,
            signed_by_id=current.owner_id,
            team_id=current.team_id,
            recorded_by=actor,
        )
        now = timezone.now()
        if current.state in OPEN_STATES:
            make_customer(
                current,
                actor=actor,
                now=now,
                reason_code=EventReason.CONTRACT_SIGNED,
                details={"number": number},
            )
        _set_stage(current, Stage.CONTRACT_SIGNED, actor=actor, now=now)
        data = {
            "contract": contract.pk,
            "lead": current.pk,
            "company": current.company_name,
            "number": number,
            "amount": str(amount),
            "signed_on": signed_on.isoformat(),
            "rep": current.owner_id,
        }
        publish(HookEvent.CONTRACT_SIGNED, [(current.team_id, data)], at=now)
    return contract


def still_due(contract: Contract) -> Decimal:
    """What the customer still owes on a contract: its amount less what stands of its payments (reversals net out)."""
    paid = Payment.objects.filter(contract=contract).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return contract.amount - paid


def record_payment(*, actor: User, contract: Contract, amount, received_on, method: str) -> Payment:
    """Record money received, never more than is still due; once payments cover the contract, the deal reaches
    "payment collected"."""
    amount = _money(amount)
    if method not in PaymentMethod.values:
        raise DomainError(_("Choose how the money was paid."))
    if received_on > local_day(contract.lead.team):
        raise DomainError(_("A payment cannot be received in the future."))
    with transaction.atomic():
        # The lead's row lock serialises every money entry of the deal: two payments at once cannot both fit.
        current = Lead.objects.select_for_update().get(pk=contract.lead_id)
        _require_deal_owner(actor, current)
        contract = Contract.objects.get(pk=contract.pk)
        if contract.is_reversed or contract.reverses_id:
            raise DomainError(
                _("Contract %(number)s was reversed; record the payment on the contract that stands.")
                % {"number": contract.number}
            )
        due = still_due(contract)
        if amount > due:
            raise DomainError(
                _("¥%(amount)s is more than the ¥%(due)s still due on contract %(number)s.")
                % {"amount": _shown(amount), "due": _shown(due), "number": contract.number}
            )
        payment = Payment.objects.create(
            contract=contract, amount=amount, received_on=received_on, method=method, recorded_by=actor
        )
        if amount == due and current.stage == Stage.CONTRACT_SIGNED:
            _set_stage(current, Stage.PAYMENT_COLLECTED, actor=actor, now=timezone.now())
        data = {
            "payment": payment.pk,
            "contract": contract.pk,
            "lead": current.pk,
            "company": current.company_name,
            "amount": str(amount),
            "received_on": received_on.isoformat(),
            "method": method,
            "still_due": str(due - amount),
        }
        publish(HookEvent.PAYMENT_RECEIVED, [(current.team_id, data)])
    return payment


def reverse_payment(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Correct a wrong payment: an entry of the opposite amount on the same day, with why; the original stays."""
    reason = _reason_for_reversal(reason)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=payment.contract.lead_id)
        _require_deal_owner(actor, current)
        payment = Payment.objects.select_related("contract").get(pk=payment.pk)
        reversal = _reverse_payment(payment, actor=actor, reason=reason)
        now = timezone.now()
        _deal_event(
            current,
            kind=EventKind.REVERSED,
            actor=actor,
            now=now,
            reason=reason,
            code=EventReason.PAYMENT_REVERSED,
            details={
                "amount": _shown(payment.amount),
                "received_on": payment.received_on.isoformat(),
                "number": payment.contract.number,
            },
        )
        if current.stage == Stage.PAYMENT_COLLECTED and still_due(payment.contract) > 0:
            _set_stage(current, Stage.CONTRACT_SIGNED, actor=actor, now=now, reason=reason)
    return reversal


def reverse_contract(*, actor: User, contract: Contract, reason: str) -> Contract:
    """Correct a wrong contract: it and its payments are reversed by entries of the opposite amounts, with why.

    The customer stays a customer; with no contract standing, the deal goes back to its proposal and the manager
    sees a customer without a contract (to withdraw, or to give the corrected contract)."""
    reason = _reason_for_reversal(reason)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=contract.lead_id)
        _require_deal_owner(actor, current)
        contract = Contract.objects.get(pk=contract.pk)
        if contract.is_reversed or contract.reverses_id:
            raise DomainError(_("This entry has already been reversed."))
        for payment in Payment.objects.standing().filter(contract=contract):
            _reverse_payment(payment, actor=actor, reason=reason)
        Contract.objects.filter(pk=contract.pk).update(is_reversed=True)
        reversal = Contract.objects.create(
            lead=current,
            number=contract.number,
            amount=-contract.amount,
            signed_on=contract.signed_on,
            term_months=contract.term_months,
            signed_by_id=contract.signed_by_id,
            team_id=contract.team_id,
            reverses=contract,
            reason=reason,
            recorded_by=actor,
        )
        now = timezone.now()
        _deal_event(
            current,
            kind=EventKind.REVERSED,
            actor=actor,
            now=now,
            reason=reason,
            code=EventReason.CONTRACT_REVERSED,
            details={"amount": _shown(contract.amount), "number": contract.number},
        )
        if not Contract.objects.standing().filter(lead=current).exists() and stage_reached(
            current, Stage.CONTRACT_SIGNED
        ):
            _set_stage(current, Stage.PROPOSAL, actor=actor, now=now, reason=reason)
    return reversal


def _reason_for_reversal(reason: str) -> str:
    reason = (reason or "").strip()[:255]
    if not reason:
        raise DomainError(_("Say why the entry is reversed."))
    return reason


def _reverse_payment(payment: Payment, *, actor: User, reason: str) -> Payment:
    if payment.is_reversed or payment.reverses_id:
        raise DomainError(_("This entry has already been reversed."))
    Payment.objects.filter(pk=payment.pk).update(is_reversed=True)
    return Payment.objects.create(
        contract_id=payment.contract_id,
        amount=-payment.amount,
        received_on=payment.received_on,
        method=payment.method,
        recorded_by=actor,
        reverses=payment,
        reason=reason,
    )


def _shown(amount: Decimal) -> str:
    return f"{amount:,.2f}"


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
