from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from leads.models import Collision, Lead, LeadSource, LeadState
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.reclaim import reclaim_overdue
from visits.models import NotCounted, Visit, VisitAmendment, VisitPlan
from visits.services.entry import edit_visit, log_visit
from visits.services.plans import LONGEST_PLAN, move_planned_visit, plan_visits, save_daily_note, unplan_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
EFFECTIVE = {"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "报价"}


def test_a_visit_on_my_lead_counts_as_its_follow_up(owner, team, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)

    result = log_visit(actor=owner, lead=lead, values=POTENTIAL)

    lead.refresh_from_db()
    assert lead.last_follow_up_at == timezone.now()
    assert result.visit.is_follow_up
    assert str(result.visit.day) == "2026-11-27"
    assert not result.visit.is_late


def test_an_effective_visit_needs_a_decision_maker_and_a_next_step(owner, team):
    lead = owned_lead(team, owner)

    with translation.override("en"), pytest.raises(DomainError, match="decision-maker"):
        log_visit(actor=owner, lead=lead, values={**EFFECTIVE, "person_role": "receptionist"})
    with translation.override("en"), pytest.raises(DomainError, match="next step"):
        log_visit(actor=owner, lead=lead, values={**EFFECTIVE, "next_step": " "})
    assert not Visit.objects.exists()


def test_a_cold_visit_to_a_new_company_creates_my_lead(owner, team):
    result = log_visit(
        actor=owner,
        values=POTENTIAL,
        cold={
            "company_name": "杭州新开咖啡有限公司",
            "contact_name": "周店长",
            "phone": "13700000000",
            "building": "银泰",
        },
    )

    lead = result.visit.lead
    assert (lead.owner, lead.state, lead.source) == (owner, LeadState.ASSIGNED, LeadSource.COLD_VISIT)
    assert result.visit.created_lead
    assert result.visit.is_cold
    assert result.visit.building == "银泰"


def test_a_cold_visit_to_a_public_lead_claims_it(owner, team):
    public = LeadFactory(team=team, company_name="杭州甲商贸有限公司", company_key="杭州甲商贸")

    result = log_visit(actor=owner, values=POTENTIAL, cold={"company_name": "杭州甲商贸"})

    public.refresh_from_db()
    assert public.owner == owner
    assert result.visit.lead == public
    assert not result.visit.created_lead


def test_a_cold_visit_to_a_colleagues_lead_is_saved_as_a_collision_naming_the_owner(owner, teammate, team):
    theirs = owned_lead(team, teammate, company_name="杭州乙商贸有限公司", company_key="杭州乙商贸")

    with translation.override("en"):
        result = log_visit(actor=owner, values=POTENTIAL, cold={"company_name": "杭州乙商贸有限公司"})

    assert result.visit.pk is not None
    assert result.visit.lead is None
    assert str(teammate) in result.notices[0]
    assert Collision.objects.get().lead == theirs
    theirs.refresh_from_db()
    assert theirs.owner == teammate


def test_a_collision_visit_keeps_the_contact_and_phone_the_rep_typed(owner, teammate, team):
    owned_lead(team, teammate, company_name="杭州乙商贸有限公司", company_key="杭州乙商贸", phone="0571-88880000")

    visit = log_visit(
        actor=owner,
        values=POTENTIAL,
        cold={"company_name": "杭州乙商贸有限公司", "contact_name": "钱经理", "phone": "13812345678"},
    ).visit

    visit.refresh_from_db()
    assert visit.not_counted == NotCounted.COLLISION
    assert (visit.lead, visit.contact_name, visit.phone) == (None, "钱经理", "13812345678")


def test_a_visit_on_a_lead_that_moved_is_saved_and_the_rep_told(owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    time_machine.move_to("2026-11-29 09:00:01+08:00", tick=False)
    reclaim_overdue()

    result = log_visit(actor=owner, lead=Lead.objects.get(pk=lead.pk), values=POTENTIAL)

    assert result.visit.pk is not None
    assert not result.visit.is_follow_up
    assert result.notices
    lead.refresh_from_db()
    assert lead.owner == teammate


def test_a_lead_that_left_the_rep_more_than_a_day_ago_takes_no_more_visits(owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    time_machine.move_to("2026-11-29 09:00:01+08:00", tick=False)
    reclaim_overdue()
    time_machine.move_to("2026-11-30 09:00:02+08:00", tick=False)

    with pytest.raises(DomainError, match="这条线索不是你的，请改为记录陌拜"):
        log_visit(actor=owner, lead=Lead.objects.get(pk=lead.pk), values=POTENTIAL)


def test_a_rep_cannot_log_a_visit_on_a_lead_never_theirs(owner, teammate, team):
    with pytest.raises(DomainError, match="这条线索不是你的，请改为记录陌拜"):
        log_visit(actor=owner, lead=owned_lead(team, teammate), values=POTENTIAL)


def test_a_visit_entered_after_the_cut_off_is_late(owner, team, time_machine):
    lead = owned_lead(team, owner)
    time_machine.move_to("2026-11-27 23:30:00+08:00", tick=False)

    visit = log_visit(actor=owner, lead=lead, values=POTENTIAL, occurred_at=timezone.now() - timedelta(hours=9)).visit

    assert visit.is_late
    assert str(visit.day) == "2026-11-27"


def test_visits_cannot_be_in_the_future(owner, team):
    with pytest.raises(DomainError, match="拜访时间不能晚于现在"):
        log_visit(
            actor=owner, lead=owned_lead(team, owner), values=POTENTIAL, occurred_at=timezone.now() + timedelta(hours=1)
        )


def test_before_the_cut_off_an_edit_is_plain_after_it_an_amendment_with_a_reason(owner, team, time_machine):
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit

    edit_visit(actor=owner, visit=visit, changes={"notes": "老板不在"})
    assert not VisitAmendment.objects.exists()

    time_machine.move_to("2026-11-27 23:01:00+08:00", tick=False)
    with pytest.raises(DomainError, match="当天录入已截止：请说明修正原因"):
        edit_visit(actor=owner, visit=visit, changes={"notes": "见到老板"})
    edit_visit(actor=owner, visit=visit, changes={"notes": "见到老板"}, reason="录错了")

    amendment = VisitAmendment.objects.get()
    assert amendment.changes == {"notes": ["老板不在", "见到老板"]}
    assert (amendment.amended_by, amendment.reason) == (owner, "录错了")
    visit.refresh_from_db()
    assert visit.notes == "见到老板"


def test_a_sampled_visit_is_locked_even_before_the_cut_off(owner, team, time_machine):
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    Visit.objects.filter(pk=visit.pk).update(sampled_at=timezone.now())
    visit.refresh_from_db()

    with pytest.raises(DomainError, match="当天录入已截止：请说明修正原因"):
        edit_visit(actor=owner, visit=visit, changes={"notes": "x"})


def test_only_the_rep_who_entered_it_edits_a_visit(owner, teammate, team):
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit

    with pytest.raises(DomainError, match="只有录入拜访的销售本人可以修改"):
        edit_visit(actor=teammate, visit=visit, changes={"notes": "x"})


def test_plans_are_for_my_leads_and_not_the_past(owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    mine = owned_lead(team, owner)

    plan_visits(actor=owner, leads=[mine], day=date(2026, 11, 28), purpose="带报价")
    with pytest.raises(DomainError, match="只能把自己的线索加入计划"):
        plan_visits(actor=owner, leads=[mine, owned_lead(team, teammate)], day=date(2026, 11, 28))
    with pytest.raises(DomainError, match="只能安排今天或以后的计划"):
        plan_visits(actor=owner, leads=[mine], day=date(2026, 11, 26))
    assert VisitPlan.objects.filter(rep=owner).count() == 1


def test_a_plan_of_several_leads_goes_in_at_once_at_the_end_of_the_route(owner, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    first, second, third = (owned_lead(team, owner, company_name=name) for name in ("甲", "乙", "丙"))
    day = date(2026, 11, 28)

    plan_visits(actor=owner, leads=[second], day=day)
    added = plan_visits(actor=owner, leads=[third, second, first], day=day, purpose="带报价")

    assert [item.lead for item in added] == [third, first]
    route = list(VisitPlan.objects.filter(rep=owner, day=day))
    assert [item.lead.company_name for item in route] == ["乙", "丙", "甲"]
    assert {item.purpose for item in route} == {"带报价"}


def test_planning_nothing_changes_nothing(owner, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    owned_lead(team, owner, company_name="阿尔法")

    with pytest.raises(DomainError, match="请至少勾选一条线索"):
        plan_visits(actor=owner, leads=[], day=date(2026, 11, 28))
    assert not VisitPlan.objects.exists()


def test_a_planned_visit_moves_along_the_route_and_is_removed(owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    day = date(2026, 11, 28)
    leads = [owned_lead(team, owner, company_name=name) for name in ("甲", "乙", "丙")]
    plan_visits(actor=owner, leads=leads, day=day)

    def route():
        return [item.lead.company_name for item in VisitPlan.objects.filter(rep=owner, day=day)]

    last = VisitPlan.objects.get(lead=leads[2])
    move_planned_visit(actor=owner, plan=last, earlier=True)
    assert route() == ["甲", "丙", "乙"]
    move_planned_visit(actor=owner, plan=VisitPlan.objects.get(lead=leads[0]), earlier=True)
    assert route() == ["甲", "丙", "乙"]  # the first stays first
    with pytest.raises(DomainError, match="这不是你的计划"):
        move_planned_visit(actor=teammate, plan=last, earlier=False)
    unplan_visit(actor=owner, plan=last)
    assert route() == ["甲", "乙"]


def test_a_plan_has_a_sensible_length(owner, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    leads = [owned_lead(team, owner) for _ in range(LONGEST_PLAN + 1)]

    with pytest.raises(DomainError, match=f"最多安排 {LONGEST_PLAN} 个拜访"):
        plan_visits(actor=owner, leads=leads, day=date(2026, 11, 28))
    assert not VisitPlan.objects.exists()


def test_a_daily_note_is_one_per_day(owner, team):

    save_daily_note(actor=owner, day=date(2026, 11, 27), win="签了一单", difficulty="")
    note = save_daily_note(actor=owner, day=date(2026, 11, 27), win="签了两单", difficulty="下雨")

    assert owner.daily_notes.count() == 1
    assert (note.win, note.difficulty) == ("签了两单", "下雨")


@pytest.mark.usefixtures("daytime")
def test_a_visit_to_my_customer_is_saved_without_a_moved_lead_notice(owner, team):
    customer = owned_lead(team, owner, state=LeadState.CUSTOMER)

    result = log_visit(actor=owner, lead=customer, values=POTENTIAL)

    assert result.notices == []
    assert not result.visit.is_follow_up
