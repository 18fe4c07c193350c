"""Money adds up: no payment beyond what is due, and corrections by reversal entries with a reason, never edits."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from deals.models import Contract, Payment
from deals.services import record_payment, reverse_contract, reverse_payment, sign_contract, still_due
from deals.tests.test_pipeline import walk_to_proposal
from leads.models import EventKind, EventReason, LeadEvent, LeadState, Stage
from leads.services.outcomes import has_signed_contract
from leads.tests.factories import owned_lead
from pools.tests.test_races import run_at_once
from reports import dashboards

DAY = date(2026, 11, 27)


@pytest.fixture
def contract(team, owner, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    deal = owned_lead(team, owner, company_name="杭州签约有限公司")
    walk_to_proposal(owner, deal)
    return sign_contract(actor=owner, lead=deal, number="HT-1", amount="10000", signed_on=DAY, term_months=12)


def pay(owner, contract, amount, method="bank"):
    return record_payment(actor=owner, contract=contract, amount=amount, received_on=DAY, method=method)


def test_a_payment_cannot_exceed_what_is_still_due(owner, contract):
    pay(owner, contract, "6000")

    with pytest.raises(DomainError, match=re.escape("¥50,000.00 超过合同 HT-1 尚未收取的 ¥4,000.00")):
        pay(owner, contract, "50000")
    pay(owner, contract, "4000")
    with pytest.raises(DomainError, match=re.escape("尚未收取的 ¥0.00")):
        pay(owner, contract, "0.01")
    assert Payment.objects.count() == 2


def test_a_wrong_payment_is_reversed_with_a_reason_and_the_right_one_entered(owner, manager, contract):
    typo = pay(owner, contract, "10000")
    lead = contract.lead
    lead.refresh_from_db()
    assert lead.stage == Stage.PAYMENT_COLLECTED

    with pytest.raises(DomainError, match="请说明冲销的原因"):
        reverse_payment(actor=manager, payment=typo, reason=" ")
    reversal = reverse_payment(actor=manager, payment=typo, reason="多输了一个零，实收 1000")

    assert reversal.amount == Decimal("-10000.00")
    assert reversal.received_on == typo.received_on
    assert still_due(contract) == Decimal("10000.00")
    lead.refresh_from_db()
    assert lead.stage == Stage.CONTRACT_SIGNED  # no longer paid in full
    event = LeadEvent.objects.filter(lead=lead, kind=EventKind.REVERSED).get()
    assert (event.actor, event.reason, event.reason_code) == (
        manager,
        "多输了一个零，实收 1000",
        EventReason.PAYMENT_REVERSED,
    )
    with pytest.raises(DomainError, match="已经冲销过"):
        reverse_payment(actor=manager, payment=typo, reason="再来一次")
    pay(owner, contract, "1000")
    assert still_due(contract) == Decimal("9000.00")
    assert Payment.objects.count() == 3  # nothing edited, nothing deleted


def test_a_wrong_contract_is_reversed_with_its_payments_and_entered_again(owner, manager, contract):
    pay(owner, contract, "2000")
    lead = contract.lead

    reverse_contract(actor=manager, contract=contract, reason="金额应为 1 万 2")

    lead.refresh_from_db()
    assert (lead.state, lead.stage) == (LeadState.CUSTOMER, Stage.PROPOSAL)
    assert not has_signed_contract(lead)
    assert Contract.objects.filter(lead=lead).count() == 2
    assert sum(payment.amount for payment in Payment.objects.all()) == 0
    with pytest.raises(DomainError, match="已冲销"):
        pay(owner, contract, "100")

    corrected = sign_contract(actor=owner, lead=lead, number="HT-1", amount="12000", signed_on=DAY, term_months=12)
    pay(owner, corrected, "2000")
    lead.refresh_from_db()
    assert has_signed_contract(lead)
    assert lead.stage == Stage.CONTRACT_SIGNED
    assert still_due(corrected) == Decimal("10000.00")


def test_the_dashboard_counts_what_stands(team, owner, manager, contract):
    pay(owner, contract, "10000")
    reverse_payment(actor=owner, payment=Payment.objects.get(), reason="客户退回，重新付款")
    pay(owner, contract, "3000")
    other = owned_lead(team, owner)
    walk_to_proposal(owner, other)
    wrong = sign_contract(actor=owner, lead=other, number="HT-2", amount="99999", signed_on=DAY, term_months=1)
    reverse_contract(actor=manager, contract=wrong, reason="录错客户")

    revenue = dashboards.revenue([team], DAY, DAY)
    ranking = dashboards.ranking([team], DAY, DAY)

    assert [list(row) for row in revenue.rows] == [["2026-11-23", 1, Decimal("10000.00"), Decimal("3000.00")]]
    assert ranking.rows[0][1] == Decimal("10000.00")


def test_a_manager_reverses_a_payment_from_the_lead_page(client, owner, manager, contract):
    typo = pay(owner, contract, "9000")
    client.force_login(manager)
    url = reverse("deals:step", args=[contract.lead_id])

    refused = client.post(url, {"action": "reverse_payment", "entry": typo.pk, "reason": ""}, follow=True)
    assert "这个字段是必填项" in refused.content.decode() or "必填" in refused.content.decode()
    client.post(url, {"action": "reverse_payment", "entry": typo.pk, "reason": "实收 900"})

    page = client.get(reverse("leads:detail", args=[contract.lead_id])).content.decode()
    assert "<del>¥9000.00</del>" in page
    assert "实收 900" in page
    assert still_due(contract) == Decimal("10000.00")


def test_another_reps_payment_cannot_be_reversed(client, teammate, owner, contract):
    typo = pay(owner, contract, "9000")
    client.force_login(teammate)

    response = client.post(
        reverse("deals:step", args=[contract.lead_id]), {"action": "reverse_payment", "entry": typo.pk, "reason": "x"}
    )

    assert response.status_code == 404
    assert not Payment.objects.filter(reverses=typo).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_cannot_together_exceed_the_contract(team, owner, manager):
    deal = owned_lead(team, owner)
    walk_to_proposal(owner, deal)
    today = timezone.localdate()
    contract = sign_contract(
        actor=owner,
        lead=deal,
        number="HT-R",
        amount="10000",
        signed_on=today,
        term_months=12,
    )

    def pay_six_thousand(actor):
        return lambda: record_payment(
            actor=actor,
            contract=contract,
            amount="6000",
            received_on=today,
            method="bank",
        )

    outcomes = run_at_once(pay_six_thousand(owner), pay_six_thousand(manager))

    errors = [str(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(errors) == 1
    assert "尚未收取的 ¥4,000.00" in errors[0]
    assert still_due(contract) == Decimal("4000.00")


def test_the_lead_page_offers_the_standing_contract_for_a_payment_reading_contracts_once_for_it(
    client, owner, manager, contract
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("leads:detail", args=[contract.lead_id])).content.decode()

    assert f'<option value="{contract.pk}" selected>{contract}</option>' in page
    contract_reads = [query["sql"] for query in queries if ' FROM "deals_contract"' in query["sql"]]
    # Whether it stands on a contract (the lead page), the panel's list with what was paid, and the payment form's.
    assert len(contract_reads) == 3, "\n".join(contract_reads)

    reverse_contract(actor=manager, contract=contract, reason="金额填错")
    corrected = sign_contract(
        actor=owner, lead=contract.lead, number="HT-2", amount="9000", signed_on=DAY, term_months=12
    )
    page = client.get(reverse("leads:detail", args=[contract.lead_id])).content.decode()
    assert f'<option value="{corrected.pk}" selected>{corrected}</option>' in page
    assert f'<option value="{contract.pk}"' not in page  # the reversed one is not offered
