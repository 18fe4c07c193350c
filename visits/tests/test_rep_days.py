"""The counts kept per rep and day: every act that writes a visit keeps them equal to a count from scratch, also
when a rep's entries of one day arrive at the same moment."""

from datetime import date

import pytest
from django.db import connection

from leads.tests.factories import owned_lead
from pools.tests.test_races import run_at_once
from reports import dashboards
from visits.counting import rebuild_rep_days
from visits.models import RepDay, Visit
from visits.services.entry import edit_visit, log_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
PHONE = {"mode": "phone", "person_role": "staff", "outcome": "potential"}
EFFECTIVE = {"person_role": "owner", "outcome": "effective", "next_step": "报价"}
DAY = date(2026, 11, 27)


def _kept():
    return sorted(RepDay.objects.values_list("rep_id", "team_id", "day", "visits", "in_person", "effective", "phone"))


def _from_scratch():
    RepDay.objects.all().delete()
    rebuild_rep_days(team_ids=Visit.objects.values_list("team_id", flat=True).distinct(), first=DAY, last=DAY)
    return _kept()


def test_the_dashboard_follows_each_visit_as_it_is_entered_and_changed(owner, team, time_machine):
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    first = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    log_visit(actor=owner, lead=owned_lead(team, owner), values=PHONE)

    chart = dashboards.visits_per_day([team], DAY, DAY)
    assert chart.rows == [["2026-11-27", 1, 0]]

    edit_visit(actor=owner, visit=first, changes=EFFECTIVE)

    assert dashboards.visits_per_day([team], DAY, DAY).rows == [["2026-11-27", 1, 1]]
    compliance = dashboards.compliance([team], DAY, DAY)
    assert [row[:3] for row in compliance.rows] == [[str(owner), 0, 1]]  # a day worked, the targets (8 and 2) not met
    kept = _kept()
    assert kept == [(owner.pk, team.pk, DAY, 2, 1, 1, 1)]
    assert _from_scratch() == kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reps_entries_arriving_at_once_are_all_counted(owner, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    leads = [owned_lead(team, owner) for _ in range(6)]

    outcomes = run_at_once(*(lambda lead=lead: log_visit(actor=owner, lead=lead, values=POTENTIAL) for lead in leads))

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert connection.vendor == "postgresql"
    assert Visit.objects.filter(rep=owner).count() == 6
    assert _kept() == [(owner.pk, team.pk, DAY, 6, 6, 0, 0)]
    assert dashboards.visits_per_day([team], DAY, DAY).rows == [["2026-11-27", 6, 0]]
