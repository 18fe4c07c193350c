"""One lead lifecycle: whoever moves a lead into a state, it looks the same afterwards, and the history says why in
the reader's language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.policy import policy_for
from deals.services import add_proposal, confirm_need, move_stage_back, sign_contract
from leads.lifecycle import fields_entering
from leads.models import EventKind, EventReason, Lead, LeadEvent, LeadState
from leads.services.outcomes import close_lead
from leads.tests.factories import owned_lead
from pools.services.ownership import keep_lead, record_follow_up, return_lead
from pools.services.reclaim import reclaim_overdue
from visits.services.entry import log_visit

POOL_FIELDS = (
    "owner_id",
    "assigned_at",
    "follow_up_deadline",
    "resolve_deadline",
    "last_follow_up_at",
    "private_since",
    "follow_up_reminded_for",
    "resolve_reminded_for",
)


def pool_fields(lead):
    lead.refresh_from_db()
    return {name: getattr(lead, name) for name in POOL_FIELDS}


def followed_up_private_lead(team, owner):
    lead = owned_lead(team, owner, state=LeadState.PRIVATE)
    record_follow_up(actor=owner, lead=lead, at=timezone.now() - timedelta(days=40))
    return lead


def back_by_return(team, owner, teammate):
    lead = followed_up_private_lead(team, owner)
    return_lead(actor=owner, lead=lead, reason="搬走了")
    return lead


def back_by_reclaim(team, owner, teammate):
    # The only rep is the owner, so an idle private lead has nobody to go to but the pool.
    teammate.memberships.all().delete()
    lead = followed_up_private_lead(team, owner)
    reclaim_overdue()
    return lead


def back_by_swap(team, owner, teammate):
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    given_back = followed_up_private_lead(team, owner)
    keep_lead(actor=owner, lead=owned_lead(team, owner), give_back=given_back)
    return given_back


@pytest.mark.parametrize("way_back", [back_by_return, back_by_reclaim, back_by_swap])
def test_every_way_back_to_the_public_pool_leaves_the_same_lead(team, owner, teammate, way_back):
    lead = way_back(team, owner, teammate)

    assert pool_fields(lead) == dict.fromkeys(POOL_FIELDS)
    assert lead.state == LeadState.PUBLIC


def test_the_chinese_timeline_puts_every_reason_of_the_system_in_chinese(client, team, owner, manager, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    # The acts happen in English; the Chinese reader must still read Chinese.
    with translation.override("en"):
        swapped = owned_lead(team, owner, state=LeadState.PRIVATE)
        deal = owned_lead(team, owner)
        log_visit(
            actor=owner,
            lead=deal,
            values={"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "报价"},
        )
        confirm_need(actor=owner, lead=deal, need="收银系统")
        add_proposal(actor=owner, lead=deal, amount="10000")
        move_stage_back(actor=owner, lead=deal, to_stage="effective_visit", reason="客户嫌贵")
        confirm_need(actor=owner, lead=deal, need="收银系统")
        add_proposal(actor=owner, lead=deal, amount="9000")
        keep_lead(actor=owner, lead=owned_lead(team, owner, company_name="杭州保留商贸有限公司"), give_back=swapped)
        sign_contract(
            actor=owner, lead=deal, number="HT-1", amount="9000", signed_on=timezone.localdate(), term_months=12
        )
        closed = owned_lead(team, owner)
        close_lead(actor=owner, lead=closed, reason="no_need")
    reclaimed = owned_lead(team, owner)
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()
    assert LeadEvent.objects.filter(job="reclaim", reason_code=EventReason.FOLLOW_UP_MISSED).exists()

    client.force_login(manager)
    shown = "".join(
        client.get(reverse("leads:detail", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        for lead in (swapped, deal, closed, reclaimed)
    )

    for words in (
        "为保留 杭州保留商贸有限公司 而退回",
        "有效拜访 → 需求确认",
        "方案报价 → 有效拜访: 客户嫌贵",
        "合同 HT-1 已签约",
        "无需求",
        "错过首次跟进期限",
        "回收任务",
    ):
        assert words in shown, words
    for english in ("Given back", "deadline missed", "Contract HT-1", "No need", "reclaim", "→ Proposal"):
        assert english not in shown, english
    with translation.override("en"):
        event = LeadEvent.objects.get(lead=swapped, kind=EventKind.RETURNED)
        assert event.why == "Given back to keep 杭州保留商贸有限公司"


def test_history_written_before_reasons_were_codes_is_still_shown_in_chinese(team, owner):
    lead = owned_lead(team, owner)
    old = LeadEvent.objects.create(
        lead=lead,
        team=team,
        kind=EventKind.RECLAIMED,
        job="morning allocation",
        from_state=LeadState.ASSIGNED,
        to_state=LeadState.PUBLIC,
        reason="first follow-up deadline missed",
        created_at=timezone.now(),
    )

    with translation.override("zh-hans"):
        assert (old.why, old.job_label) == ("错过首次跟进期限", "早间分配")


def test_a_state_the_lifecycle_does_not_know_is_refused():
    with pytest.raises(ValueError, match="unknown lead state 'lost'"):
        fields_entering("lost", now=timezone.now())


def test_a_conditional_move_that_lost_the_race_writes_nothing(team, owner, teammate):
    from leads.lifecycle import move_lead

    lead = owned_lead(team, owner)
    Lead.objects.filter(pk=lead.pk).update(owner=teammate)

    moved = move_lead(
        lead, LeadState.PUBLIC, kind=EventKind.RETURNED, now=timezone.now(), expect={"owner": owner}, actor=owner
    )

    assert not moved
    assert not LeadEvent.objects.filter(lead=lead).exists()
    assert Lead.objects.get(pk=lead.pk).owner == teammate
