"""The manager's morning briefing: yesterday against target, who missed, what was reclaimed and from whom, what is
due, the pool, today's allocation and QC incidents, each a link to the list behind it."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from core.models import Role
from core.policy import policy_for
from core.tests.factories import member
from leads.models import EventKind, LeadEvent
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.allocation import allocate
from pools.services.reclaim import reclaim_overdue
from reports.briefing import morning_briefing
from visits.tests.factories import visits_for

YESTERDAY = date(2026, 11, 26)


def test_the_briefing_tells_yesterday_and_today(client, team, owner, teammate, manager, time_machine):
    quiet = member(team, Role.REP, username="quiet")
    time_machine.move_to("2026-11-24 09:00:00+08:00", tick=False)
    lost = [owned_lead(team, teammate, company_name=f"丢失{number}") for number in range(2)]
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    reclaim_overdue()  # the 48-hour follow-up passed: both go back, to colleagues
    visits_for(owner, team, YESTERDAY, in_person=8, effective=2)
    visits_for(teammate, team, YESTERDAY, in_person=5, effective=1)
    LeadFactory.create_batch(3, team=team)
    time_machine.move_to("2026-11-27 08:30:00+08:00", tick=False)
    owned_lead(team, owner, company_name="今天到期", follow_up_deadline=timezone.now() + timedelta(hours=5))

    [briefing] = morning_briefing([team])

    assert (briefing.reps, briefing.visits, briefing.effective) == (3, 13, 3)
    assert (briefing.visit_target, briefing.effective_target) == (24, 6)
    assert briefing.missed == sorted([teammate, quiet], key=str)
    assert briefing.reclaimed == 2
    assert briefing.reclaimed_from == [(teammate, 2)]
    assert briefing.due_today == 1  # the two reassigned yesterday are due in 25.5 hours
    assert briefing.allocation_status == "to_do"
    assert LeadEvent.objects.filter(kind=EventKind.RECLAIMED, lead__in=lost).count() == 2

    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert f"?team={team.pk}&amp;reclaimed_on=2026-11-26" in page
    assert f"?team={team.pk}&amp;day=2026-11-26" in page
    reclaimed = client.get(reverse("pools:team"), {"team": team.pk, "reclaimed_on": "2026-11-26"})
    assert sorted(lead.company_name for lead in reclaimed.context["page"]) == ["丢失0", "丢失1"]


def test_the_briefing_says_when_allocation_ran_short(team, owner, manager, time_machine):
    time_machine.move_to("2026-11-27 08:30:00+08:00", tick=False)
    LeadFactory.create_batch(10, team=team)
    allocate(team=team, actor=manager)

    [briefing] = morning_briefing([team])

    assert briefing.allocation_status == "short"
    assert (briefing.allocation.allocated, briefing.allocation.shortfall) == (10, policy_for(team).allocation_min - 10)


def test_the_briefing_runs_the_same_queries_for_one_team_or_many(
    team, other_team, manager, django_assert_max_num_queries
):
    teams = [team, other_team]
    for each in teams:
        policy_for(each)

    with django_assert_max_num_queries(8 + 2 * len(teams)):
        morning_briefing(teams)


def test_each_briefing_judges_by_its_own_teams_policy_however_the_teams_were_read(team, other_team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import Team, TeamPolicy

    policy = policy_for(team)
    policy.daily_visit_target = 6
    policy.save()
    pair = Team.objects.filter(pk__in=[team.pk, other_team.pk]).order_by("pk")

    # A team without a policy yet (other_team) gets the defaults, created once; read with the teams, none is re-read.
    assert [briefing.policy.daily_visit_target for briefing in morning_briefing(list(pair))] == [6, 8]
    assert TeamPolicy.objects.filter(team=other_team).count() == 1
    with CaptureQueriesContext(connection) as queries:
        briefings = morning_briefing(list(pair.select_related("policy")))
    assert [briefing.policy.daily_visit_target for briefing in briefings] == [6, 8]
    assert not [query for query in queries if 'FROM "crm_teampolicy"' in query["sql"]]
