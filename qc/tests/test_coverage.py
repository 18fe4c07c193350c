"""The QC coverage figure against a hand calculation."""

from datetime import date, timedelta
from math import comb

import pytest
from django.urls import reverse

from core.policy import policy_for
from qc.coverage import audits_per_day, chance_caught, qc_coverage
from visits.tests.factories import visits_for

TODAY = date(2026, 11, 27)


def test_one_day_by_hand():
    # 8 visits, 2 of them invented, 1 audited: the audited one is invented with probability 2/8, exposed 9 in 10.
    assert chance_caught([(8, 1)]) == pytest.approx(0.9 * 2 / 8)
    # 2 audited: both escape with probability C(6,2)/C(8,2) = 15/28.
    assert chance_caught([(8, 2)]) == pytest.approx(0.9 * (1 - 15 / 28))
    assert comb(6, 2) / comb(8, 2) == pytest.approx(15 / 28)


def test_days_add_up_as_independent_draws():
    one = 0.9 * 2 / 8
    assert chance_caught([(8, 1)] * 20) == pytest.approx(1 - (1 - one) ** 20)
    assert chance_caught([(1, 1), (8, 0)]) == 0  # too few visits to hide two, or nothing audited


def test_the_settings_decide_how_many_a_day_are_audited(team):
    policy = policy_for(team)
    policy.qc_effective_rate, policy.qc_potential_rate, policy.qc_minimum_per_rep = 50, 10, 1

    assert audits_per_day(policy, effective=2, potential=6) == 2  # 1 + round(0.6)
    assert audits_per_day(policy, effective=0, potential=3) == 1  # the minimum
    assert audits_per_day(policy, effective=0, potential=0) == 0


def test_the_coverage_page_shows_each_reps_chance(client, team, owner, manager):
    policy = policy_for(team)
    policy.qc_effective_rate, policy.qc_potential_rate, policy.qc_minimum_per_rep = 50, 10, 1
    policy.save()
    for back in range(1, 21):
        visits_for(owner, team, TODAY - timedelta(days=back), in_person=8, effective=2)

    [row] = [row for row in qc_coverage(team, TODAY) if row.rep == owner]

    per_day = 1 - comb(6, 2) / comb(8, 2)  # 2 audited a day (1 + round(0.6))
    assert (row.days, row.visits) == (20, 160)
    assert row.chance == pytest.approx(1 - (1 - 0.9 * per_day) ** 20)
    client.force_login(manager)
    page = client.get(reverse("qc:coverage")).content.decode()
    assert f"{row.chance_percent}%" in page
    assert "C(n−2, k) / C(n, k)" in page
