"""Real concurrent transactions on PostgreSQL: each thread has its own connection and all start at one barrier."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from core.errors import DomainError
from core.models import Role
from core.policy import policy_for
from core.tests.factories import member
from leads.models import EventKind, Lead, LeadEvent, LeadState
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.allocation import allocate
from pools.services.ownership import assign_leads, claim_lead, keep_lead, record_follow_up
from pools.services.reclaim import reclaim_overdue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(*calls):
    """Run each call in its own thread and connection, released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_reps_claiming_one_lead_at_the_same_moment_leave_one_owner_and_one_event(team):
    reps = [member(team, Role.REP, username=f"rep{n}") for n in range(2)]
    lead = LeadFactory(team=team)

    outcomes = run_at_once(*(lambda rep=rep: claim_lead(actor=rep, lead=Lead.objects.get(pk=lead.pk)) for rep in reps))

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError)
    assert "claimed" in str(errors[0]) or "已被其他人领取" in str(errors[0])
    lead.refresh_from_db()
    assert lead.owner in reps
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.CLAIMED).count() == 1


def test_eight_reps_racing_for_one_lead_have_exactly_one_winner(team):
    reps = [member(team, Role.REP, username=f"rep{n}") for n in range(8)]
    lead = LeadFactory(team=team)

    outcomes = run_at_once(*(lambda rep=rep: claim_lead(actor=rep, lead=Lead.objects.get(pk=lead.pk)) for rep in reps))

    assert sum(not isinstance(outcome, Exception) for outcome in outcomes) == 1
    assert LeadEvent.objects.filter(lead=lead).count() == 1


def test_keeps_racing_at_the_cap_never_exceed_it(team):
    rep = member(team, Role.REP, username="keeper")
    policy = policy_for(team)
    policy.private_cap = 3
    policy.save()
    leads = [owned_lead(team, rep) for _ in range(8)]

    run_at_once(*(lambda lead=lead: keep_lead(actor=rep, lead=lead) for lead in leads))

    assert Lead.objects.filter(owner=rep, state=LeadState.PRIVATE).count() == 3
    assert LeadEvent.objects.filter(kind=EventKind.KEPT).count() == 3


def test_claims_racing_the_daily_limit_never_exceed_it(team):
    rep = member(team, Role.REP, username="eager")
    policy = policy_for(team)
    policy.daily_claim_limit = 3
    policy.save()
    leads = LeadFactory.create_batch(8, team=team)

    run_at_once(*(lambda lead=lead: claim_lead(actor=rep, lead=lead) for lead in leads))

    assert Lead.objects.filter(owner=rep).count() == 3


def test_swaps_racing_for_the_same_give_back_are_all_or_nothing(team):
    rep = member(team, Role.REP, username="swapper")
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    give_back = owned_lead(team, rep, state=LeadState.PRIVATE)
    candidates = [owned_lead(team, rep) for _ in range(4)]

    outcomes = run_at_once(
        *(lambda lead=lead: keep_lead(actor=rep, lead=lead, give_back=give_back) for lead in candidates)
    )

    assert sum(not isinstance(outcome, Exception) for outcome in outcomes) == 1
    assert Lead.objects.filter(owner=rep, state=LeadState.PRIVATE).count() == 1
    # Every losing swap left its candidate assigned: nothing was half done.
    assert Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED).count() == 3
    give_back.refresh_from_db()
    assert give_back.state == LeadState.PUBLIC


def test_the_database_refuses_to_rewrite_or_delete_a_lead_event(team):
    rep = member(team, Role.REP, username="writer")
    lead = LeadFactory(team=team)
    claim_lead(actor=rep, lead=lead)

    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE pools_leadevent SET reason = 'rewritten'")
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM pools_leadevent")


def test_two_reclaim_runs_at_once_never_move_a_lead_twice(team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=True)
    reps = [member(team, Role.REP, username=f"rep{n}") for n in range(4)]
    leads = [owned_lead(team, reps[n % 4]) for n in range(200)]
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=True)

    outcomes = run_at_once(lambda: reclaim_overdue(batch_size=50), lambda: reclaim_overdue(batch_size=50))

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert sum(len(outcome.moved) for outcome in outcomes) == 200
    assert LeadEvent.objects.filter(kind=EventKind.RECLAIMED).count() == 200
    assert LeadEvent.objects.filter(kind=EventKind.RECLAIMED).values("lead").distinct().count() == len(leads)


def test_allocation_and_reclaim_at_once_never_give_one_lead_to_two_reps(team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=True)
    reps = [member(team, Role.REP, username=f"rep{n}") for n in range(3)]
    policy = policy_for(team)
    policy.allocation_min = policy.allocation_max = 40
    policy.save()
    overdue = [owned_lead(team, reps[n % 3]) for n in range(60)]
    LeadFactory.create_batch(60, team=team)
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=True)

    outcomes = run_at_once(lambda: allocate(team=team, job="test"), lambda: reclaim_overdue(batch_size=20))

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    for lead in Lead.objects.filter(pk__in=[lead.pk for lead in overdue]):
        moves = LeadEvent.objects.filter(lead=lead, kind__in=[EventKind.RECLAIMED, EventKind.ALLOCATED])
        owners_given = [event.to_owner_id for event in moves if event.to_owner_id]
        assert len(owners_given) <= 1 or lead.owner_id == owners_given[-1]
    # Every owned lead's owner is the one its last event names: no lead was handed to two reps.
    for lead in Lead.objects.exclude(owner=None):
        assert LeadEvent.objects.filter(lead=lead).last().to_owner_id == lead.owner_id


def test_a_follow_up_at_the_instant_of_the_reclaim_has_exactly_one_winner(team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=True)
    rep = member(team, Role.REP, username="late")
    member(team, Role.REP, username="colleague")
    leads = [owned_lead(team, rep) for _ in range(30)]
    time_machine.move_to("2026-11-29 09:00:30+08:00", tick=True)

    def follow_up_all():
        return [record_follow_up(actor=rep, lead=lead) for lead in leads]

    followed, reclaimed = run_at_once(follow_up_all, lambda: reclaim_overdue(batch_size=5))

    assert not isinstance(followed, Exception), followed
    assert not isinstance(reclaimed, Exception), reclaimed
    moved = {lead_id for lead_id, _old, _new in reclaimed.moved}
    for lead, kept in zip(leads, followed, strict=True):
        lead.refresh_from_db()
        # Either the follow-up landed first and the rep keeps the lead, or the reclaim did and the rep was told.
        assert kept == (lead.owner == rep)
        assert kept != (lead.pk in moved)


def test_a_swap_whose_keep_loses_the_lead_midway_gives_nothing_back(team, owner, teammate, manager):
    """The give-back is written first; when the lead to keep is taken a moment later, both moves are undone."""
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    given_back = owned_lead(team, owner, state=LeadState.PRIVATE)
    to_keep = owned_lead(team, owner)
    reassigned, release = threading.Event(), threading.Event()

    def manager_reassigns_and_holds_the_row():
        try:
            with transaction.atomic():
                assign_leads(actor=manager, leads=[to_keep], rep=teammate, reason="调给同事")
                reassigned.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def owner_keeps_with_a_swap():
        try:
            keep_lead(actor=owner, lead=to_keep, give_back=given_back)
        except DomainError as error:
            return error
        finally:
            connection.close()

    holder = threading.Thread(target=manager_reassigns_and_holds_the_row)
    holder.start()
    assert reassigned.wait(timeout=30)
    outcome = []
    keeper = threading.Thread(target=lambda: outcome.append(owner_keeps_with_a_swap()))
    keeper.start()
    # Release the manager's transaction only once the keep has given its lead back and waits on the lead to keep.
    for _attempt in range(300):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the keep never waited on the lead the manager holds")
    release.set()
    holder.join(timeout=30)
    keeper.join(timeout=30)

    assert isinstance(outcome[0], DomainError)
    assert "nothing was given back" in str(outcome[0]) or "没有退回任何线索" in str(outcome[0])
    given_back.refresh_from_db()
    to_keep.refresh_from_db()
    assert (given_back.state, given_back.owner) == (LeadState.PRIVATE, owner)
    assert (to_keep.state, to_keep.owner) == (LeadState.ASSIGNED, teammate)
    assert not LeadEvent.objects.filter(lead=given_back, kind=EventKind.RETURNED).exists()
