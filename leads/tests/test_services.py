import csv
import io

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from core.policy import policy_for
from deals.models import Contract
from leads.models import Collision, EventKind, Lead, LeadEvent, LeadImport, LeadSource, LeadState
from leads.services.intake import create_lead
from leads.services.outcomes import close_lead, convert_lead, withdraw_customer
from leads.services.transfer import check_import, commit_import, export_table, upload_import
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.ownership import keep_lead
from pools.services.reclaim import reclaim_overdue

COMPANY = {"company_name": "杭州华鑫商贸有限公司", "contact_name": "李总", "phone": "138 1234 5678"}


def test_a_rep_adds_a_lead_that_becomes_theirs_with_timers(owner, team):
    lead = create_lead(actor=owner, values=COMPANY)

    assert (lead.team, lead.owner, lead.state) == (team, owner, LeadState.ASSIGNED)
    assert lead.follow_up_deadline is not None
    assert (lead.company_key, lead.phone_key) == ("杭州华鑫商贸", "13812345678")
    assert LeadEvent.objects.get(lead=lead).kind == EventKind.CREATED


def test_a_manager_adds_a_lead_to_the_public_pool(manager, team):
    lead = create_lead(actor=manager, team=team, values=COMPANY)

    assert (lead.owner, lead.state) == (None, LeadState.PUBLIC)


def test_a_lead_owned_by_another_rep_is_a_collision_naming_the_owner(owner, teammate, team):
    existing = create_lead(actor=teammate, values=COMPANY)

    with translation.override("en"), pytest.raises(DomainError, match=f"already owned by {teammate}"):
        create_lead(actor=owner, values={"company_name": "（杭州）杭州华鑫商贸股份有限公司"})

    collision = Collision.objects.get()
    assert (collision.lead, collision.owner, collision.attempted_by) == (existing, teammate, owner)
    assert Lead.objects.count() == 1


def test_a_shared_phone_number_is_a_duplicate_too(owner, teammate, team):
    create_lead(actor=teammate, values=COMPANY)

    with pytest.raises(DomainError, match="已归属"):
        create_lead(actor=owner, values={"company_name": "完全不同的公司", "phone": "+86 138-1234-5678"})


def test_a_duplicate_of_a_public_lead_points_to_the_pool_without_a_collision(owner, team):
    LeadFactory(team=team, company_name="杭州华鑫商贸有限公司", company_key="杭州华鑫商贸")

    with translation.override("en"), pytest.raises(DomainError, match="public pool"):
        create_lead(actor=owner, values=COMPANY)

    assert not Collision.objects.exists()


def test_a_manager_makes_a_customer_without_a_contract_saying_why(owner, manager, team):
    lead = owned_lead(team, owner, state=LeadState.PRIVATE)

    convert_lead(actor=manager, lead=lead, reason="纸质合同，系统上线前已签")

    assert (lead.state, lead.owner) == (LeadState.CUSTOMER, owner)
    event = LeadEvent.objects.filter(lead=lead).latest("pk")
    assert (event.kind, event.actor, event.to_owner, event.reason) == (
        EventKind.CONVERTED,
        manager,
        owner,
        "纸质合同，系统上线前已签",
    )


def test_making_a_customer_without_a_contract_needs_a_reason(owner, manager, team):
    lead = owned_lead(team, owner)

    with pytest.raises(DomainError, match="请说明原因"):
        convert_lead(actor=manager, lead=lead, reason="  ")

    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED


def test_a_rep_cannot_convert_their_own_lead_to_escape_the_private_cap(owner, team):
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    kept = owned_lead(team, owner, state=LeadState.PRIVATE)
    waiting = owned_lead(team, owner)

    with pytest.raises(DomainError, match="只有该团队的主管可以执行此操作"):
        convert_lead(actor=owner, lead=kept, reason="客户")
    with pytest.raises(DomainError, match="私海已满"):
        keep_lead(actor=owner, lead=waiting)

    kept.refresh_from_db()
    assert kept.state == LeadState.PRIVATE


def test_a_rep_cannot_convert_a_lead_to_escape_the_reclaim(owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    with pytest.raises(DomainError, match="只有该团队的主管可以执行此操作"):
        convert_lead(actor=owner, lead=lead, reason="客户")

    time_machine.move_to("2026-11-29 09:00:01+08:00", tick=False)
    reclaim_overdue()

    lead.refresh_from_db()
    assert (lead.state, lead.owner) == (LeadState.ASSIGNED, teammate)


def test_a_manager_withdraws_a_customer_status_given_without_a_contract(owner, manager, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    lead = owned_lead(team, owner, state=LeadState.PRIVATE)
    convert_lead(actor=manager, lead=lead, reason="老客户")
    time_machine.move_to("2026-11-28 10:00:00+08:00", tick=False)

    withdraw_customer(actor=manager, lead=lead, reason="没有合同，是囤积")

    assert (lead.state, lead.owner) == (LeadState.ASSIGNED, owner)
    assert lead.follow_up_deadline > timezone.now()  # the pools' timers run again, from now
    event = LeadEvent.objects.filter(lead=lead).latest("pk")
    assert (event.kind, event.actor, event.reason) == (EventKind.UNCONVERTED, manager, "没有合同，是囤积")


def test_a_customer_with_a_signed_contract_keeps_its_status(owner, manager, team):
    lead = owned_lead(team, owner, state=LeadState.CUSTOMER)
    Contract.objects.create(
        lead=lead, number="HZ-1", amount=1000, signed_on="2026-11-20", term_months=12, signed_by=owner, team=team
    )

    with pytest.raises(DomainError, match="该客户已签合同"):
        withdraw_customer(actor=manager, lead=lead, reason="错了")
    with pytest.raises(DomainError, match="只有该团队的主管可以执行此操作"):
        withdraw_customer(actor=owner, lead=lead, reason="错了")


def test_closing_needs_a_listed_reason_and_words_for_other(owner, team):
    lead = owned_lead(team, owner)

    with pytest.raises(DomainError, match="请选择关闭原因"):
        close_lead(actor=owner, lead=lead, reason="bored")
    with pytest.raises(DomainError, match="请说明关闭原因"):
        close_lead(actor=owner, lead=lead, reason="other", note="")

    close_lead(actor=owner, lead=lead, reason="other", note="moved to Shenzhen")

    assert (lead.state, lead.owner, lead.close_note) == (LeadState.CLOSED, None, "moved to Shenzhen")


def test_a_rep_cannot_close_or_convert_a_teammates_lead(owner, teammate, team):
    lead = owned_lead(team, teammate)

    with pytest.raises(DomainError, match="只有线索负责人或其团队主管"):
        close_lead(actor=owner, lead=lead, reason="no_need")
    with pytest.raises(DomainError, match="只有该团队的主管可以执行此操作"):
        convert_lead(actor=owner, lead=lead, reason="客户")


def test_a_manager_may_close_a_public_lead(manager, team):
    lead = LeadFactory(team=team)

    close_lead(actor=manager, lead=lead, reason="out_of_business")

    assert lead.state == LeadState.CLOSED


def csv_bytes(rows, encoding="utf-8-sig", newline="\r\n"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_an_import_adds_valid_new_rows_to_the_pool_once(manager, team):
    raw = csv_bytes(
        [
            ["公司名称", "联系人", "手机", "地址", "行业"],
            ["杭州甲公司", "张三", "13900000001", "西湖区文三路1号, 3楼", "餐饮"],
            ["杭州乙公司", "李四", "13900000002", "多行\n地址", "零售"],
            ["", "王五", "13900000003", "", ""],
            ["杭州甲有限公司", "重复", "", "", ""],
        ],
        encoding="gb18030",
    )

    lead_import = upload_import(actor=manager, team=team, file_name="leads.csv", raw=raw)
    preview = check_import(lead_import=lead_import)
    assert [row.number for row in preview.to_add] == [2, 3]
    assert [row.number for row in preview.bad] == [4]
    assert [row.number for row in preview.duplicates] == [5]
    assert not Lead.objects.exists()

    commit_import(actor=manager, lead_import=lead_import)
    assert sorted(Lead.objects.values_list("company_name", "state", "source")) == [
        ("杭州乙公司", LeadState.PUBLIC, LeadSource.IMPORT),
        ("杭州甲公司", LeadState.PUBLIC, LeadSource.IMPORT),
    ]
    assert Lead.objects.get(company_name="杭州甲公司").address == "西湖区文三路1号, 3楼"

    second = upload_import(actor=manager, team=team, file_name="leads.csv", raw=raw)
    assert check_import(lead_import=second).to_add == []
    commit_import(actor=manager, lead_import=second)
    assert Lead.objects.count() == 2
    with pytest.raises(DomainError, match="该文件已经导入过了"):
        commit_import(actor=manager, lead_import=second)


def test_a_rep_cannot_import(owner, team):
    with pytest.raises(DomainError, match="只有团队主管或管理员可以导入线索"):
        upload_import(actor=owner, team=team, file_name="x.csv", raw=csv_bytes([["company"], ["A"]]))
    assert not LeadImport.objects.exists()


def test_the_export_opens_in_excel_and_reads_back_as_an_import(manager, team):
    LeadFactory(team=team, company_name="=HYPERLINK(1)", phone="+86 139 0000 0001")
    LeadFactory(team=team, company_name="杭州丙公司")

    data = b"".join(export_table(Lead.objects.order_by("pk")).as_csv())

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][3] == "0086 139 0000 0001"  # readable as text; +86 would start a formula
    assert rows[2][0] == "杭州丙公司"
