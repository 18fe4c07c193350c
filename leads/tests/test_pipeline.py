from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from crm.errors import DomainError
from leads.models import LeadState, Stage
from leads.services import add_proposal, confirm_need, move_stage_back, record_payment, sign_contract
from leads.tests.factories import owned_lead
from pools.models import EventKind, LeadEvent
from visits.services import log_visit

EFFECTIVE = {"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "报价"}
POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}


@pytest.fixture
def deal(team, owner):
    return owned_lead(team, owner)


def walk_to_proposal(owner, deal):
    log_visit(actor=owner, lead=deal, values=EFFECTIVE)
    confirm_need(actor=owner, lead=deal, need="三家门店的收银系统")
    return add_proposal(actor=owner, lead=deal, amount="36000")


def test_visits_move_a_new_deal_to_contacted_then_effective_visit(owner, deal):
    log_visit(actor=owner, lead=deal, values=POTENTIAL)
    deal.refresh_from_db()
    assert deal.stage == Stage.CONTACTED

    log_visit(actor=owner, lead=deal, values=EFFECTIVE)
    deal.refresh_from_db()
    assert deal.stage == Stage.EFFECTIVE_VISIT


def test_each_step_needs_its_evidence(owner, deal):
    with translation.override("en"), pytest.raises(DomainError, match="effective visit first"):
        confirm_need(actor=owner, lead=deal, need="收银系统")
    with pytest.raises(DomainError):
        add_proposal(actor=owner, lead=deal, amount="1000")
    with pytest.raises(DomainError):
        sign_contract(actor=owner, lead=deal, number="HT-1", amount="1000", signed_on=date(2026, 11, 1), term_months=12)


def test_signing_a_contract_converts_the_lead_to_a_customer(owner, deal, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    walk_to_proposal(owner, deal)

    contract = sign_contract(
        actor=owner, lead=deal, number="HT-2026-001", amount="36000", signed_on=date(2026, 11, 27), term_months=12
    )

    deal.refresh_from_db()
    assert (deal.state, deal.stage, deal.owner) == (LeadState.CUSTOMER, Stage.CONTRACT_SIGNED, owner)
    assert contract.amount == Decimal("36000.00")
    kinds = list(LeadEvent.objects.filter(lead=deal).values_list("kind", flat=True))
    assert kinds.count(EventKind.STAGE) == 4
    assert EventKind.CONVERTED in kinds


def test_payments_that_cover_the_contract_complete_the_deal(owner, deal, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    walk_to_proposal(owner, deal)
    contract = sign_contract(
        actor=owner, lead=deal, number="HT-2026-002", amount="10000.00", signed_on=date(2026, 11, 27), term_months=6
    )

    record_payment(actor=owner, contract=contract, amount="3333.33", received_on=date(2026, 11, 27), method="bank")
    deal.refresh_from_db()
    assert deal.stage == Stage.CONTRACT_SIGNED

    record_payment(actor=owner, contract=contract, amount="6666.67", received_on=date(2026, 11, 27), method="wechat")
    deal.refresh_from_db()
    assert deal.stage == Stage.PAYMENT_COLLECTED


def test_money_is_decimal_and_positive(owner, deal):
    walk_to_proposal(owner, deal)

    with pytest.raises(DomainError):
        add_proposal(actor=owner, lead=deal, amount="-5")
    with pytest.raises(DomainError):
        add_proposal(actor=owner, lead=deal, amount="lots")
    assert add_proposal(actor=owner, lead=deal, amount="0.1").amount == Decimal("0.10")


def test_contract_numbers_are_unique(owner, deal, team, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    walk_to_proposal(owner, deal)
    sign_contract(actor=owner, lead=deal, number="HT-9", amount="1", signed_on=date(2026, 11, 27), term_months=1)
    other = owned_lead(team, owner)
    walk_to_proposal(owner, other)

    with pytest.raises(DomainError):
        sign_contract(actor=owner, lead=other, number="HT-9", amount="1", signed_on=date(2026, 11, 27), term_months=1)


def test_moving_back_needs_a_reason_and_leaves_an_event(owner, deal):
    walk_to_proposal(owner, deal)

    with pytest.raises(DomainError):
        move_stage_back(actor=owner, lead=deal, to_stage=Stage.NEEDS_CONFIRMED, reason="")
    move_stage_back(actor=owner, lead=deal, to_stage=Stage.NEEDS_CONFIRMED, reason="客户嫌贵，重新谈需求")

    assert deal.stage == Stage.NEEDS_CONFIRMED
    assert "客户嫌贵" in LeadEvent.objects.filter(lead=deal, kind=EventKind.STAGE).last().reason


def test_a_teammate_cannot_move_someone_elses_deal(owner, teammate, deal):
    log_visit(actor=owner, lead=deal, values=EFFECTIVE)

    with pytest.raises(DomainError):
        confirm_need(actor=teammate, lead=deal, need="x")
