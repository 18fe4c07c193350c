"""Real concurrent transactions on PostgreSQL: each thread has its own connection and all start at one barrier."""

import threading

import pytest
from django.db import DatabaseError, connection

from crm.errors import DomainError
from crm.models import Role
from crm.tests.factories import member
from leads.models import Lead, LeadState
from leads.tests.factories import LeadFactory, owned_lead
from pools.models import EventKind, LeadEvent
from pools.policy import policy_for
from pools.services import claim_lead, keep_lead

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
