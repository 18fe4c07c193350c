import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Role
from core.tests.factories import member
from leads.tests.factories import owned_lead
from pools.services.ownership import claim_lead
from reports.daily import evening_meeting, last_complete_week, weekly_compliance
from visits.tests.factories import visits_for

DAY = date(2026, 11, 27)


def test_the_evening_meeting_counts_each_rep_and_the_team(team, owner, teammate):
    visits_for(owner, team, DAY, in_person=8, effective=3, cold=2, phone=2)
    visits_for(teammate, team, DAY, in_person=5, effective=1)
    visits_for(owner, team, DAY - timedelta(days=1), in_person=4)

    rows, totals = evening_meeting(team, DAY)

    by_rep = {row.rep.username: row for row in rows}
    assert (by_rep["owner"].in_person, by_rep["owner"].effective, by_rep["owner"].cold, by_rep["owner"].phone) == (
        8,
        3,
        2,
        2,
    )
    assert by_rep["owner"].target_met
    assert not by_rep["teammate"].target_met
    assert (totals.in_person, totals.effective) == (13, 4)


@pytest.mark.parametrize(("language", "met", "missed"), [("en", "met", "missed"), ("zh-hans", "达成", "未达成")])
def test_each_meeting_row_shows_its_reps_counts_and_target(
    client, team, owner, manager, time_machine, language, met, missed
):
    owner.name = "<i>王</i>"
    owner.save(update_fields=["name"])
    other = member(team, Role.REP, username="zhao", name="赵六")
    visits_for(owner, team, DAY, in_person=8, effective=3, cold=2, phone=4)
    visits_for(other, team, DAY, in_person=5, effective=1, phone=1)
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    page = client.get(reverse("reports:meeting"), {"day": DAY.isoformat()}).content.decode()

    shown = [row.split("</tr>")[0] for row in page.split('data-testid="meeting-row"')[1:]]
    rows = {row.split("</td>")[0].split("<td>")[1]: row for row in shown}
    cells = [re.findall(r'<td class="text-end"[^>]*>([^<]*)</td>', row) for row in rows.values()]
    assert dict(zip(rows, cells, strict=True)) == {
        "&lt;i&gt;王&lt;/i&gt;": ["8", "3", "0", "2", "4", "0", "0", "0", "0.00", "0.00"],
        "赵六": ["5", "1", "0", "0", "1", "0", "0", "0", "0.00", "0.00"],
    }
    assert f'<span class="badge text-bg-success">{met}</span>' in rows["&lt;i&gt;王&lt;/i&gt;"]
    assert f'<span class="badge text-bg-danger">{missed}</span>' in rows["赵六"]


def test_each_teams_meeting_reads_its_own_team_and_day(team, owner, other_team):
    # The meeting's reads are compiled once per process and run with each call's team and day.
    stranger = member(other_team, Role.REP, username="stranger")
    visits_for(owner, team, DAY, in_person=8, effective=3)
    visits_for(stranger, other_team, DAY, in_person=2, effective=2)
    visits_for(stranger, other_team, DAY - timedelta(days=1), in_person=6)

    ours, our_totals = evening_meeting(team, DAY)
    theirs, their_totals = evening_meeting(other_team, DAY)
    their_day_before, _totals = evening_meeting(other_team, DAY - timedelta(days=1))

    assert [row.rep.username for row in ours] == ["owner"]
    assert (our_totals.in_person, our_totals.effective) == (8, 3)
    assert [(row.rep.username, row.in_person, row.effective) for row in theirs] == [("stranger", 2, 2)]
    assert (their_totals.in_person, their_day_before[0].in_person) == (2, 6)


def test_a_voided_visit_counts_nowhere(team, owner):
    visits_for(owner, team, DAY, in_person=7, effective=1, voided=1)

    rows, _totals = evening_meeting(team, DAY)

    assert (rows[0].in_person, rows[0].effective, rows[0].target_met) == (7, 1, False)
    assert weekly_compliance(team, DAY - timedelta(days=DAY.weekday()))[0].days[4][3] is False


def test_new_leads_and_conversions_come_from_the_reps_lead_events(team, owner, manager, time_machine):
    time_machine.move_to("2026-11-27 23:30:00+08:00", tick=False)  # 15:30 UTC: still the 27th for the team
    from leads.services.intake import create_lead
    from leads.services.outcomes import convert_lead

    create_lead(actor=owner, values={"company_name": "杭州丁公司"})
    convert_lead(actor=manager, lead=owned_lead(team, owner), reason="纸质合同已签")  # the rep's conversion too

    rows, _totals = evening_meeting(team, DAY)

    assert (rows[0].new_leads, rows[0].conversions) == (1, 1)


def test_weekly_compliance_marks_the_days_a_target_was_missed(team, owner):
    monday = date(2026, 11, 23)
    for offset in range(5):
        visits_for(owner, team, monday + timedelta(days=offset), in_person=8, effective=2 if offset != 2 else 1)

    (row,) = weekly_compliance(team, monday, last_day=date(2026, 11, 27))

    assert [met for _day, _visits, _effective, met in row.days] == [True, True, False, True, True]
    assert row.missed == 1


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def grow_team(team, size, days):
    """Bring the team to `size` reps, each with `days` of visit history."""
    reps = list(team.memberships.filter(role=Role.REP))
    while len(reps) < size:
        rep = member(team, Role.REP)
        reps.append(rep.memberships.get())
        for offset in range(days):
            visits_for(rep, team, DAY - timedelta(days=offset), in_person=8, effective=2, phone=1)


def test_meeting_and_compliance_run_the_same_queries_for_5_and_50_reps(client, team, manager):
    client.force_login(manager)
    grow_team(team, 5, days=60)
    client.get(reverse("reports:meeting"))  # the first visit creates the team's policy
    small = [
        count_queries(client, reverse("reports:meeting"), {"day": DAY.isoformat()}),
        count_queries(client, reverse("reports:compliance"), {"week": DAY.isoformat()}),
    ]
    grow_team(team, 50, days=60)
    large = [
        count_queries(client, reverse("reports:meeting"), {"day": DAY.isoformat()}),
        count_queries(client, reverse("reports:compliance"), {"week": DAY.isoformat()}),
    ]
    assert small == large


def test_today_runs_the_same_queries_with_months_of_history(client, team, owner, time_machine):
    time_machine.move_to("2026-11-27 12:00:00+08:00", tick=False)
    client.force_login(owner)
    for _ in range(3):
        claim_lead(actor=owner, lead=owned_lead(team, None, state="public"))
    client.get(reverse("home"))
    small = count_queries(client, reverse("home"), {})
    for offset in range(1, 90):
        visits_for(owner, team, DAY - timedelta(days=offset), in_person=8, effective=2)
    for _ in range(30):
        owned_lead(team, owner)
    large = count_queries(client, reverse("home"), {})
    assert small == large


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        ("2026-11-30 10:00:00+08:00", "2026-11-23"),  # Monday: last week, not the empty new one
        ("2026-12-02 15:00:00+08:00", "2026-11-23"),  # Wednesday: this week is not over
        ("2026-12-05 22:30:00+08:00", "2026-11-23"),  # Saturday before its entry closes
        ("2026-12-05 23:30:00+08:00", "2026-11-30"),  # Saturday's entry closed: this week is complete
    ],
)
def test_compliance_opens_on_the_last_complete_week(team, time_machine, now, monday):
    time_machine.move_to(now, tick=False)

    assert last_complete_week(team).isoformat() == monday


def test_on_a_monday_the_compliance_page_shows_last_weeks_misses(client, team, owner, manager, time_machine):
    visits_for(owner, team, date(2026, 11, 27), in_person=3, effective=0)
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    client.force_login(manager)

    response = client.get(reverse("reports:compliance"))

    assert response.context["monday"] == date(2026, 11, 23)
    row = next(row for row in response.context["rows"] if row.rep == owner)
    assert row.missed == 6
    assert "week=2026-11-30" in response.content.decode()  # this week so far, one tap away


def test_each_compliance_row_shows_its_reps_days_green_or_red(client, team, owner, manager, time_machine):
    owner.name = "<i>王</i>"
    owner.save(update_fields=["name"])
    other = member(team, Role.REP, username="zhao", name="赵六")
    visits_for(owner, team, date(2026, 11, 23), in_person=8, effective=3)
    visits_for(owner, team, date(2026, 11, 28), in_person=10, effective=2)
    visits_for(other, team, date(2026, 11, 24), in_person=5, effective=1)
    visits_for(other, team, date(2026, 11, 25), in_person=9, effective=2)
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    client.force_login(manager)

    page = client.get(reverse("reports:compliance")).content.decode()

    rows = {row.split("</td>")[0].split("<td>")[1]: row for row in page.split('data-testid="compliance-row"')[1:]}
    mine, theirs = rows["&lt;i&gt;王&lt;/i&gt;"], rows["赵六"]
    cells = '<td class="text-center table-danger">0 / 0</td>'
    saturday = '<td class="text-center table-success">10 / 2</td>'
    assert '<td class="text-center table-success">8 / 3</td>' + cells * 4 + saturday in mine
    assert '<td class="text-end fw-bold">4</td>' in mine
    pair = '<td class="text-center table-danger">5 / 1</td><td class="text-center table-success">9 / 2</td>'
    assert cells + pair + cells * 3 in theirs
    assert '<td class="text-end fw-bold">5</td>' in theirs


def test_the_evening_meeting_shows_contracts_and_money_of_a_hand_counted_day(
    client, team, owner, teammate, manager, time_machine
):
    from deals.services import record_payment, reverse_contract, reverse_payment, sign_contract
    from deals.tests.test_pipeline import walk_to_proposal

    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    earlier = owned_lead(team, teammate)
    walk_to_proposal(teammate, earlier)
    yesterdays = sign_contract(
        actor=teammate, lead=earlier, number="HT-0", amount="8000", signed_on=date(2026, 11, 26), term_months=6
    )
    time_machine.move_to("2026-11-27 18:00:00+08:00", tick=False)
    first, second = owned_lead(team, owner), owned_lead(team, owner)
    for lead in (first, second):
        walk_to_proposal(owner, lead)
    kept = sign_contract(actor=owner, lead=first, number="HT-1", amount="10000", signed_on=DAY, term_months=12)
    wrong = sign_contract(actor=owner, lead=second, number="HT-2", amount="5000", signed_on=DAY, term_months=12)
    reverse_contract(actor=manager, contract=wrong, reason="客户未盖章")
    record_payment(actor=owner, contract=kept, amount="3000", received_on=DAY, method="bank")
    typo = record_payment(actor=owner, contract=kept, amount="2000", received_on=DAY, method="cash")
    reverse_payment(actor=owner, payment=typo, reason="重复录入")
    record_payment(actor=teammate, contract=yesterdays, amount="1000", received_on=DAY, method="wechat")
    # By hand: the owner signed one contract that stands (¥10,000) and collected ¥3,000; the teammate signed none
    # today and collected ¥1,000 on yesterday's contract.

    rows, totals = evening_meeting(team, DAY)

    by_rep = {row.rep: (row.contracts, row.contract_amount, row.collected) for row in rows}
    assert by_rep[owner] == (1, Decimal("10000"), Decimal("3000"))
    assert by_rep[teammate] == (0, 0, Decimal("1000"))
    assert (totals.contracts, totals.contract_amount, totals.collected) == (1, Decimal("10000"), Decimal("4000"))

    client.force_login(manager)
    page = client.get(reverse("reports:meeting"), {"day": "2026-11-27"}).content.decode()
    assert '<td class="text-end" data-testid="collected">4000.00</td>' in page
    owners_row = next(row for row in page.split('data-testid="meeting-row"') if f"<td>{owner}</td>" in row)
    assert (
        'data-testid="contract-amount">10000.00</td><td class="text-end" data-testid="collected">3000.00' in owners_row
    )
    projector = client.get(reverse("reports:meeting"), {"day": "2026-11-27", "projector": "1"}).content.decode()
    assert 'class="projector"' in projector
    assert "navbar" not in projector
