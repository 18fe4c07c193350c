"""Two tabs (or a double tap) planning the same day at once, on real concurrent PostgreSQL transactions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.calendar import local_day
from leads.models import Lead
from leads.tests.factories import owned_lead
from pools.tests.test_races import run_at_once
from visits.models import VisitPlan
from visits.services.plans import LONGEST_PLAN, plan_visits

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_leads_planned_twice_at_once_are_planned_once_in_order(owner, team):
    leads = [owned_lead(team, owner, company_name=f"公司{number}") for number in range(8)]
    tomorrow = local_day(team, timezone.now()) + timedelta(days=1)

    def plan():
        return plan_visits(
            actor=owner, leads=list(Lead.objects.filter(pk__in=[lead.pk for lead in leads])), day=tomorrow
        )

    outcomes = run_at_once(plan, plan)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    route = list(VisitPlan.objects.filter(rep=owner, day=tomorrow))
    assert len(route) == 8
    assert [item.position for item in route] == list(range(1, 9))


def test_two_tabs_cannot_plan_past_the_longest_plan_together(owner, team):
    tomorrow = local_day(team, timezone.now()) + timedelta(days=1)
    first = [owned_lead(team, owner) for _ in range(30)]
    second = [owned_lead(team, owner) for _ in range(30)]

    outcomes = run_at_once(
        lambda: plan_visits(actor=owner, leads=first, day=tomorrow),
        lambda: plan_visits(actor=owner, leads=second, day=tomorrow),
    )

    errors = [str(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(errors) == 1
    assert f"最多安排 {LONGEST_PLAN} 个拜访" in errors[0]
    assert VisitPlan.objects.filter(rep=owner, day=tomorrow).count() == 30
