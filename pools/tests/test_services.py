from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from core.policy import policy_for
from leads.models import EventKind, LeadEvent, LeadState
from leads.services.outcomes import reopen_lead
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.ownership import assign_leads, claim_lead, keep_lead, return_lead


@pytest.fixture
def policy(team):
    return policy_for(team)


def events(lead):
    return list(LeadEvent.objects.filter(lead=lead).values_list("kind", "from_state", "to_state"))


def test_claiming_a_public_lead_makes_it_mine_with_both_deadlines(owner, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    lead = LeadFactory(team=team)

    claim_lead(actor=owner, lead=lead)

    lead.refresh_from_db()
    assert (lead.owner, lead.state) == (owner, LeadState.ASSIGNED)
    assert lead.follow_up_deadline == timezone.now() + timedelta(hours=48)
    assert lead.resolve_deadline == timezone.now() + timedelta(days=7)
    assert events(lead) == [(EventKind.CLAIMED, LeadState.PUBLIC, LeadState.ASSIGNED)]


def test_a_lead_already_claimed_cannot_be_claimed_again(owner, teammate, team):
    lead = LeadFactory(team=team)
    claim_lead(actor=teammate, lead=lead)

    with pytest.raises(DomainError, match="Someone else claimed"), translation.override("en"):
        claim_lead(actor=owner, lead=lead)

    lead.refresh_from_db()
    assert lead.owner == teammate
    assert len(events(lead)) == 1


def test_a_rep_cannot_claim_from_another_teams_pool(owner, other_team):
    lead = LeadFactory(team=other_team)

    with pytest.raises(DomainError, match="这条线索不在你团队的公海中"):
        claim_lead(actor=owner, lead=lead)


def test_the_daily_claim_limit_counts_from_midnight_in_the_team_time_zone(owner, team, policy, time_machine):
    policy.daily_claim_limit = 2
    policy.save()
    time_machine.move_to("2026-11-27 23:30:00+08:00", tick=False)
    for lead in LeadFactory.create_batch(2, team=team):
        claim_lead(actor=owner, lead=lead)

    with translation.override("en"), pytest.raises(DomainError, match="the daily limit"):
        claim_lead(actor=owner, lead=LeadFactory(team=team))

    # 00:10 in Shanghai is still the previous day in UTC, but a new day for the team.
    time_machine.move_to("2026-11-28 00:10:00+08:00", tick=False)
    claim_lead(actor=owner, lead=LeadFactory(team=team))
    assert owner.owned_leads.count() == 3


def test_a_manager_assignment_is_not_bound_by_the_claim_limit(owner, manager, team, policy):
    policy.daily_claim_limit = 1
    policy.save()

    result = assign_leads(actor=manager, leads=LeadFactory.create_batch(3, team=team), rep=owner)

    assert len(result.assigned) == 3


def test_a_returned_lead_cannot_be_claimed_back_during_the_cooldown(owner, team, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    return_lead(actor=owner, lead=lead, reason="no answer")

    with pytest.raises(DomainError, match="2026"):
        claim_lead(actor=owner, lead=lead)

    time_machine.move_to("2026-12-04 10:00:01+08:00", tick=False)
    claim_lead(actor=owner, lead=lead)
    assert lead.owner == owner


def test_returning_needs_a_reason(owner, team):
    lead = owned_lead(team, owner)

    with translation.override("en"), pytest.raises(DomainError, match="Say why"):
        return_lead(actor=owner, lead=lead, reason="  ")

    lead.refresh_from_db()
    assert lead.owner == owner


def test_returning_puts_the_lead_in_the_public_pool_with_the_reason(owner, team):
    lead = owned_lead(team, owner, state=LeadState.PRIVATE)

    return_lead(actor=owner, lead=lead, reason="moved away")

    lead.refresh_from_db()
    assert (lead.state, lead.owner, lead.follow_up_deadline) == (LeadState.PUBLIC, None, None)
    assert LeadEvent.objects.get(lead=lead).reason == "moved away"


def test_a_rep_cannot_return_someone_elses_lead(owner, teammate, team):
    lead = owned_lead(team, teammate)

    with pytest.raises(DomainError, match="这条线索不是你的，无法退回"):
        return_lead(actor=owner, lead=lead, reason="mine now")


def test_keeping_moves_an_assigned_lead_into_the_private_pool_without_deadlines(owner, team):
    lead = owned_lead(team, owner)

    keep_lead(actor=owner, lead=lead)

    assert (lead.state, lead.follow_up_deadline, lead.resolve_deadline) == (LeadState.PRIVATE, None, None)
    assert lead.private_since is not None


def test_at_the_cap_keeping_needs_a_lead_to_give_back(owner, team, policy):
    policy.private_cap = 2
    policy.save()
    kept = [owned_lead(team, owner, state=LeadState.PRIVATE) for _ in range(2)]
    lead = owned_lead(team, owner)

    with pytest.raises(DomainError, match="2/2"):
        keep_lead(actor=owner, lead=lead)

    keep_lead(actor=owner, lead=lead, give_back=kept[0])

    kept[0].refresh_from_db()
    assert kept[0].state == LeadState.PUBLIC
    assert lead.state == LeadState.PRIVATE
    assert owner.owned_leads.filter(state=LeadState.PRIVATE).count() == 2
    assert EventKind.RETURNED in {kind for kind, _from, _to in events(kept[0])}


def test_keeping_a_lead_not_mine_is_refused_before_anything_is_given_back(owner, teammate, team, policy):
    policy.private_cap = 1
    policy.save()
    mine = owned_lead(team, owner, state=LeadState.PRIVATE)
    not_mine = owned_lead(team, teammate)

    with pytest.raises(DomainError, match="只有分配给你的线索才能放入私海"):
        keep_lead(actor=owner, lead=not_mine, give_back=mine)

    mine.refresh_from_db()
    assert (mine.state, mine.owner) == (LeadState.PRIVATE, owner)


def test_a_manager_assigns_and_reassigns_in_bulk_with_one_event_each(owner, teammate, manager, team):
    public = LeadFactory.create_batch(2, team=team)
    theirs = owned_lead(team, teammate)

    with pytest.raises(DomainError, match="请说明原因：其中有线索是从其他销售手中调走的"):
        assign_leads(actor=manager, leads=[*public, theirs], rep=owner)
    assert not owner.owned_leads.exists()
    result = assign_leads(actor=manager, leads=[*public, theirs], rep=owner, reason="张三请假一周")

    assert len(result.assigned) == 3
    assert owner.owned_leads.filter(state=LeadState.ASSIGNED).count() == 3
    kinds = sorted(LeadEvent.objects.filter(to_owner=owner).values_list("kind", flat=True))
    assert kinds == [EventKind.ASSIGNED, EventKind.ASSIGNED, EventKind.REASSIGNED]
    assert LeadEvent.objects.get(lead=theirs, kind=EventKind.REASSIGNED).reason == "张三请假一周"


def test_assignment_skips_leads_in_the_reps_cooldown(owner, manager, team):
    lead = owned_lead(team, owner)
    return_lead(actor=owner, lead=lead, reason="not interested")

    result = assign_leads(actor=manager, leads=[lead], rep=owner)

    assert result.assigned == []
    assert "cooldown" in result.skipped[0][1] or "冷却" in result.skipped[0][1]


def test_a_manager_cannot_assign_to_a_rep_of_another_team(manager, outsider, team):
    with pytest.raises(DomainError, match="不是你团队中在职的销售"):
        assign_leads(actor=manager, leads=[LeadFactory(team=team)], rep=outsider)


def test_a_rep_cannot_assign(owner, teammate, team):
    with pytest.raises(DomainError, match="只有主管可以分配线索"):
        assign_leads(actor=owner, leads=[LeadFactory(team=team)], rep=teammate)


def test_a_manager_reopens_a_closed_lead_into_the_public_pool(manager, team):
    lead = LeadFactory(team=team, state=LeadState.CLOSED, close_reason="no_need")

    reopen_lead(actor=manager, lead=lead)

    assert (lead.state, lead.close_reason) == (LeadState.PUBLIC, "")
    assert events(lead) == [(EventKind.REOPENED, LeadState.CLOSED, LeadState.PUBLIC)]


def test_a_rep_cannot_reopen(owner, team):
    with pytest.raises(DomainError, match="只有该团队的主管"):
        reopen_lead(actor=owner, lead=LeadFactory(team=team, state=LeadState.CLOSED))


def test_lead_events_cannot_be_changed_or_deleted(owner, team):
    lead = LeadFactory(team=team)
    claim_lead(actor=owner, lead=lead)
    event = LeadEvent.objects.get(lead=lead)

    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        LeadEvent.objects.filter(lead=lead).update(reason="rewritten")
    with pytest.raises(TypeError, match="append-only"):
        LeadEvent.objects.filter(lead=lead).delete()
