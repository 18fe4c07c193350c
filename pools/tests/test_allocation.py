import pytest

from core.errors import DomainError
from core.models import Notification, Role
from core.policy import policy_for
from core.tests.factories import member
from leads.models import EventKind, Lead, LeadEvent, LeadState
from leads.tests.factories import LeadFactory, owned_lead
from pools.models import AllocationRun
from pools.services.allocation import allocate, allocate_due_teams, plan_allocation, set_quotas
from pools.services.ownership import return_lead


@pytest.fixture
def reps(team):
    return [member(team, Role.REP, username=f"rep{n}") for n in range(3)]


@pytest.fixture
def small_policy(team):
    policy = policy_for(team)
    policy.allocation_min, policy.allocation_max = 2, 5
    policy.save()
    return policy


def owned(rep):
    return Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED).count()


def test_every_rep_gets_their_quota_with_deadlines_and_one_event_per_lead(team, reps, manager, small_policy):
    LeadFactory.create_batch(20, team=team)
    set_quotas(actor=manager, team=team, quotas={reps[0].pk: 4})

    allocate(team=team, actor=manager, seed=1)

    assert [owned(rep) for rep in reps] == [4, 2, 2]
    assert not Lead.objects.filter(state=LeadState.ASSIGNED, follow_up_deadline__isnull=True).exists()
    assert LeadEvent.objects.filter(team=team, kind=EventKind.ALLOCATED).count() == 8
    assert Notification.objects.filter(kind=Notification.Kind.ALLOCATED).count() == 3


def test_the_best_leads_are_spread_so_nobody_gets_them_all(team, reps, manager, small_policy):
    best = LeadFactory.create_batch(3, team=team, priority=9)
    LeadFactory.create_batch(10, team=team, priority=0)

    allocate(team=team, actor=manager, seed=7)

    assert sorted(Lead.objects.get(pk=lead.pk).owner.username for lead in best) == ["rep0", "rep1", "rep2"]


def test_running_allocation_twice_a_day_only_tops_up(team, reps, manager, small_policy, time_machine):
    time_machine.move_to("2026-11-27 08:00:00+08:00", tick=False)
    LeadFactory.create_batch(4, team=team)
    allocate(team=team, actor=manager, seed=1)
    assert sum(owned(rep) for rep in reps) == 4

    LeadFactory.create_batch(10, team=team)
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    allocate(team=team, actor=manager, seed=2)
    allocate(team=team, actor=manager, seed=3)

    assert [owned(rep) for rep in reps] == [2, 2, 2]


def test_a_short_pool_is_shared_equally_and_the_shortfall_reported(team, reps, manager, small_policy):
    LeadFactory.create_batch(4, team=team)

    plan = allocate(team=team, actor=manager, seed=3)

    assert sorted(owned(rep) for rep in reps) == [1, 1, 2]
    assert plan.shortfall == 2
    assert AllocationRun.objects.get().shortfall == 2


def test_a_lead_in_a_reps_cooldown_goes_to_someone_else(team, reps, manager, small_policy):
    lead = owned_lead(team, reps[0], priority=9)
    return_lead(actor=reps[0], lead=lead, reason="no need")

    plan = plan_allocation(team, seed=0)

    assert (lead.pk, reps[0].pk) not in plan.moves
    assert lead.pk in {lead_id for lead_id, _rep in plan.moves}


def test_quotas_stay_within_the_policy_range(team, reps, manager, small_policy):
    with pytest.raises(DomainError, match="配额必须在 2 到 5 条之间"):
        set_quotas(actor=manager, team=team, quotas={reps[0].pk: 6})
    with pytest.raises(DomainError, match="配额必须在 2 到 5 条之间"):
        set_quotas(actor=manager, team=team, quotas={reps[0].pk: 1})
    with pytest.raises(DomainError, match="只有该团队的主管"):
        set_quotas(actor=reps[1], team=team, quotas={reps[0].pk: 3})
    with pytest.raises(DomainError, match="只有本团队在职的销售才有配额"):
        set_quotas(actor=manager, team=team, quotas={manager.pk: 3})


def test_only_a_manager_of_the_team_allocates(team, reps, other_manager):
    with pytest.raises(DomainError, match="只有该团队的主管"):
        allocate(team=team, actor=other_manager)


def test_the_morning_job_runs_at_eight_in_the_teams_time_zone_once(team, reps, small_policy, time_machine):
    small_policy.auto_allocate = True
    small_policy.save()
    LeadFactory.create_batch(20, team=team)

    # 23:30 UTC is 07:30 in Shanghai: too early there, though past 08:00 UTC's day start.
    time_machine.move_to("2026-11-26 23:30:00+00:00", tick=False)
    assert allocate_due_teams() == []

    time_machine.move_to("2026-11-27 00:01:00+00:00", tick=False)  # 08:01 in Shanghai
    assert len(allocate_due_teams()) == 1
    assert allocate_due_teams() == []
    assert sum(owned(rep) for rep in reps) == 6


def test_a_team_without_the_switch_is_not_allocated_automatically(team, reps, small_policy, time_machine):
    LeadFactory.create_batch(5, team=team)
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)

    assert allocate_due_teams() == []
    assert not Lead.objects.filter(state=LeadState.ASSIGNED).exists()


def test_allocation_stops_at_the_cap_on_open_assigned_leads(team, reps, manager, small_policy):
    small_policy.open_assigned_cap = 6
    small_policy.save()
    for _ in range(5):
        owned_lead(team, reps[0])
    for _ in range(6):
        owned_lead(team, reps[1])
    LeadFactory.create_batch(20, team=team)
    set_quotas(actor=manager, team=team, quotas={rep.pk: 5 for rep in reps})

    plan = allocate(team=team, actor=manager, seed=3)

    assert [owned(rep) for rep in reps] == [6, 6, 5]
    assert [(row.planned, row.held_back) for row in plan.reps] == [(1, 4), (0, 5), (5, 0)]
    assert plan.shortfall == 0  # held back by the cap is not missing from the pool
    again = plan_allocation(team)
    assert [row.needed for row in again.reps] == [0, 0, 0]
