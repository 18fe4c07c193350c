from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import DomainError
from deals.services import add_proposal, confirm_need, move_stage_back, record_payment, sign_contract
from deals.templatetags.deals_tags import NEXT_STEPS
from leads.models import EventKind, LeadEvent, LeadState, Stage
from leads.tests.factories import owned_lead
from visits.services.entry import log_visit

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
    with pytest.raises(DomainError, match="发送方案前请先确认客户需求"):
        add_proposal(actor=owner, lead=deal, amount="1000")
    with pytest.raises(DomainError, match="请先添加方案"):
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
    assert contract.team_id == deal.team_id  # kept on the contract for the team's revenue
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

    with pytest.raises(DomainError, match="金额必须大于零"):
        add_proposal(actor=owner, lead=deal, amount="-5")
    with pytest.raises(DomainError, match="请输入金额"):
        add_proposal(actor=owner, lead=deal, amount="lots")
    assert add_proposal(actor=owner, lead=deal, amount="0.1").amount == Decimal("0.10")


def test_contract_numbers_are_unique(owner, deal, team, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    walk_to_proposal(owner, deal)
    sign_contract(actor=owner, lead=deal, number="HT-9", amount="1", signed_on=date(2026, 11, 27), term_months=1)
    other = owned_lead(team, owner)
    walk_to_proposal(owner, other)

    with pytest.raises(DomainError, match="合同编号 HT-9 已被使用"):
        sign_contract(actor=owner, lead=other, number="HT-9", amount="1", signed_on=date(2026, 11, 27), term_months=1)


def test_moving_back_needs_a_reason_and_leaves_an_event(owner, deal):
    walk_to_proposal(owner, deal)

    with pytest.raises(DomainError, match="请说明商机回退的原因"):
        move_stage_back(actor=owner, lead=deal, to_stage=Stage.NEEDS_CONFIRMED, reason="")
    move_stage_back(actor=owner, lead=deal, to_stage=Stage.NEEDS_CONFIRMED, reason="客户嫌贵，重新谈需求")

    assert deal.stage == Stage.NEEDS_CONFIRMED
    assert "客户嫌贵" in LeadEvent.objects.filter(lead=deal, kind=EventKind.STAGE).last().reason


def test_a_teammate_cannot_move_someone_elses_deal(owner, teammate, deal):
    log_visit(actor=owner, lead=deal, values=EFFECTIVE)

    with pytest.raises(DomainError, match="只有线索负责人或其团队主管"):
        confirm_need(actor=teammate, lead=deal, need="x")


def test_a_rep_walks_a_deal_to_collected_payment_through_the_pages(client, owner, deal, time_machine):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    log_visit(actor=owner, lead=deal, values=EFFECTIVE)
    client.force_login(owner)
    url = reverse("deals:step", args=[deal.pk])

    assert client.get(deal.get_absolute_url()).context["next_step"] == NEXT_STEPS[Stage.EFFECTIVE_VISIT]
    client.post(url, {"action": "need", "need": "五家门店的收银系统"})
    client.post(
        url,
        {"action": "proposal", "amount": "50000", "file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 proposal")},
    )
    client.post(
        url, {"action": "contract", "number": "HT-77", "amount": "48000", "signed_on": "2026-11-27", "term_months": 12}
    )
    contract = deal.contracts.get()
    client.post(
        url,
        {
            "action": "payment",
            "contract": contract.pk,
            "amount": "48000",
            "received_on": "2026-11-27",
            "method": "bank",
        },
    )

    deal.refresh_from_db()
    assert (deal.state, deal.stage) == (LeadState.CUSTOMER, Stage.PAYMENT_COLLECTED)
    page = client.get(reverse("deals:customers")).content.decode()
    assert deal.company_name in page
    assert "48000.00" in page.replace(",", "")
    proposal = deal.proposals.get()
    assert client.get(reverse("deals:proposal_file", args=[proposal.pk])).status_code == 200


def test_the_pipeline_page_lists_open_deals_by_stage_with_amounts(client, owner, teammate, team):
    mine = owned_lead(team, owner, company_name="杭州在谈公司")
    walk_to_proposal(owner, mine)
    theirs = owned_lead(team, teammate, company_name="杭州别人的公司")
    client.force_login(owner)

    from django.urls import reverse

    columns = client.get(reverse("deals:pipeline")).context["columns"]
    by_stage = {column["stage"]: column for column in columns}
    assert [lead.pk for lead in by_stage[Stage.PROPOSAL.label]["leads"]] == [mine.pk]
    assert by_stage[Stage.PROPOSAL.label]["amount"] == Decimal("36000.00")
    assert theirs.pk not in [lead.pk for column in columns for lead in column["leads"]]


def test_another_rep_cannot_fetch_a_proposal_file_or_post_a_deal_step(client, owner, teammate, deal):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    walk_to_proposal(owner, deal)
    proposal = deal.proposals.get()
    proposal.file.save("plan.pdf", ContentFile(b"%PDF"))
    client.force_login(teammate)

    assert client.get(reverse("deals:proposal_file", args=[proposal.pk])).status_code == 404
    assert client.post(reverse("deals:step", args=[deal.pk]), {"action": "back"}).status_code == 404


def test_a_proposal_file_of_a_lead_back_in_the_pool_is_hidden_like_its_phone(client, owner, teammate, manager, deal):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from pools.services.ownership import return_lead

    walk_to_proposal(owner, deal)
    proposal = deal.proposals.get()
    proposal.file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"))
    return_lead(actor=owner, lead=deal, reason="客户不做了")
    url = reverse("deals:proposal_file", args=[proposal.pk])

    client.force_login(teammate)
    assert client.get(reverse("leads:detail", args=[deal.pk])).status_code == 200  # the lead is in their pool
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("报价.pdf", b"%PDF-1.7 a proposal", True),
        ("报价.docx", b"PK\x03\x04 a word file", True),
        ("报价.pdf", b"MZ\x90\x00 a program named .pdf", False),
        ("报价.exe", b"%PDF-1.7 a pdf named .exe", False),
        ("报价.html", b"<script>alert(1)</script>", False),
    ],
)
def test_a_proposal_file_is_checked_by_its_content(client, owner, deal, name, content, accepted):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    log_visit(actor=owner, lead=deal, values=EFFECTIVE)
    confirm_need(actor=owner, lead=deal, need="收银")
    client.force_login(owner)

    response = client.post(
        reverse("deals:step", args=[deal.pk]),
        {"action": "proposal", "amount": "1000", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )

    assert deal.proposals.exists() == accepted
    if not accepted:
        assert "PDF" in response.content.decode()


def test_a_proposal_file_over_the_limit_is_refused(client, owner, deal):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from deals.forms import PROPOSAL_MAX_MEGABYTES

    log_visit(actor=owner, lead=deal, values=EFFECTIVE)
    confirm_need(actor=owner, lead=deal, need="收银")
    client.force_login(owner)
    big = SimpleUploadedFile("报价.pdf", b"%PDF-" + b"0" * (PROPOSAL_MAX_MEGABYTES * 1024 * 1024))

    response = client.post(
        reverse("deals:step", args=[deal.pk]), {"action": "proposal", "amount": "1000", "file": big}, follow=True
    )

    assert not deal.proposals.exists()
    assert f"{PROPOSAL_MAX_MEGABYTES} MB" in response.content.decode()


def test_the_pipeline_counts_and_sums_every_deal_of_a_stage_and_lists_the_latest(client, owner, team):
    from django.urls import reverse

    from deals.models import Proposal
    from deals.selectors import SHOWN_PER_STAGE

    deals = [owned_lead(team, owner, stage=Stage.PROPOSAL) for _ in range(60)]
    Proposal.objects.bulk_create(Proposal(lead=lead, amount=Decimal("100.00"), created_by=owner) for lead in deals)
    client.force_login(owner)

    response = client.get(reverse("deals:pipeline"))

    column = {column["stage"]: column for column in response.context["columns"]}[Stage.PROPOSAL.label]
    assert (column["count"], column["amount"], len(column["leads"])) == (60, Decimal("6000.00"), SHOWN_PER_STAGE)
    assert "?stage=proposal" in response.content.decode()

    stage_page = client.get(reverse("deals:pipeline"), {"stage": "proposal", "page": 3})
    assert len(stage_page.context["page"]) == 10
    assert "stage=proposal&amp;page=2" in stage_page.content.decode()
    assert client.get(reverse("deals:pipeline"), {"stage": "nonsense"}).context["stage"] is None


def test_a_stage_page_counts_only_the_users_deals_of_that_stage(
    client, owner, teammate, team, django_assert_max_num_queries
):
    from django.urls import reverse

    for _ in range(30):
        owned_lead(team, owner, stage=Stage.PROPOSAL)
    for _ in range(7):
        owned_lead(team, teammate, stage=Stage.PROPOSAL)
        owned_lead(team, owner, stage=Stage.NEEDS_CONFIRMED)
    client.force_login(owner)

    # The stage's page takes its count from the summary it shows above the list, and reads no latest deals of the
    # other stages: it must still count the rep's own deals of that stage, not the team's or every stage's.
    with django_assert_max_num_queries(9):
        stage_page = client.get(reverse("deals:pipeline"), {"stage": "proposal", "page": 2})

    page = stage_page.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page)) == (30, 2, 5)
    assert {lead.owner_id for lead in page} == {owner.pk}
    assert all(column["leads"] == [] for column in stage_page.context["columns"])
    assert "第 2 / 2 页" in stage_page.content.decode()
