import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Role
from core.tests.factories import member
from deals.models import Contract, Payment
from leads.models import EventKind, LeadEvent, Stage
from leads.tests.factories import LeadFactory, owned_lead
from reports import dashboards
from reports.templatetags.reports_tags import table_body_rows
from visits.tests.factories import visits_for

START, END = date(2026, 11, 23), date(2026, 11, 27)


def signed(lead, number, amount, on, *, payments=()) -> Contract:
    """A twelve-month contract of `lead`'s owner and team, signed `on`, and the payments (amount, day) made on it."""
    contract = Contract.objects.create(
        lead=lead,
        number=number,
        amount=Decimal(amount),
        signed_on=on,
        term_months=12,
        signed_by=lead.owner,
        team=lead.team,
    )
    for paid, day in payments:
        Payment.objects.create(
            contract=contract, amount=Decimal(paid), received_on=day, method="bank", recorded_by=lead.owner
        )
    return contract


@pytest.fixture
def history(team, owner, teammate, time_machine):
    """A hand-counted week: visits, deals at several stages, two contracts and three payments, one reclaim."""
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    visits_for(owner, team, date(2026, 11, 24), in_person=8, effective=2)
    visits_for(owner, team, date(2026, 11, 25), in_person=8, effective=1)
    visits_for(teammate, team, date(2026, 11, 24), in_person=9, effective=3, voided=1)
    for stage in (Stage.CONTACTED, Stage.EFFECTIVE_VISIT, Stage.PROPOSAL):
        owned_lead(team, owner, stage=stage)
    LeadFactory(team=team)  # an untouched public lead: not part of the funnel
    signed(
        owned_lead(team, owner, stage=Stage.CONTRACT_SIGNED, state="customer"),
        "A",
        "10000",
        date(2026, 11, 24),
        payments=[("2500", date(2026, 11, 25))],
    )
    signed(
        owned_lead(team, teammate, stage=Stage.PAYMENT_COLLECTED, state="customer"),
        "B",
        "6000",
        date(2026, 11, 17),
        payments=[("3000", date(2026, 11, 23)), ("3000", date(2026, 11, 18))],
    )
    LeadEvent.objects.create(
        lead=LeadFactory(team=team),
        team=team,
        kind=EventKind.RECLAIMED,
        job="reclaim",
        from_state="assigned",
        to_state="public",
        created_at="2026-11-26T01:00:00+00:00",
    )


def rows(chart):
    return [list(row) for row in chart.rows]


def test_the_funnel_counts_deals_that_reached_each_stage(team, history):
    chart = dashboards.funnel([team], START, END)

    assert [row[1] for row in chart.rows] == [5, 5, 4, 3, 3, 2, 1]
    assert chart.rows[3][2] == 75.0


def test_visits_per_day_leave_out_voided_visits(team, history):
    chart = dashboards.visits_per_day([team], START, END)

    assert rows(chart) == [
        ["2026-11-23", 0, 0],
        ["2026-11-24", 17, 5],
        ["2026-11-25", 8, 1],
        ["2026-11-26", 0, 0],
        ["2026-11-27", 0, 0],
    ]


def test_compliance_and_ranking_by_rep(team, owner, teammate, history):
    compliance = {row[0]: row[1:] for row in dashboards.compliance([team], START, END).rows}
    assert compliance[str(owner)] == [1, 2, 50.0]
    assert compliance[str(teammate)] == [1, 1, 100.0]

    ranking = dashboards.ranking([team], START, END)
    assert [row[0] for row in ranking.rows] == [str(owner), str(teammate)]
    assert ranking.rows[0][1] == Decimal("10000")


def test_the_rep_charts_list_each_active_rep_of_the_teams_once(team, other_team, owner, teammate, history):
    idle = member(team, Role.REP, username="idle")  # no visit, no contract: shown with zeros
    gone = member(team, Role.REP, username="gone")
    visits_for(gone, team, date(2026, 11, 24), in_person=8, effective=2)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    stranger = member(other_team, Role.REP, username="stranger")
    visits_for(stranger, other_team, date(2026, 11, 24), in_person=8, effective=2)

    compliance = {row[0]: row[1:] for row in dashboards.compliance([team], START, END).rows}
    both = {row[0]: row[1:] for row in dashboards.compliance([team, other_team], START, END).rows}

    assert set(compliance) == {str(owner), str(teammate), str(idle)}
    assert compliance[str(idle)] == [0, 0, 0]
    assert set(both) == {str(owner), str(teammate), str(idle), str(stranger)}
    assert both[str(stranger)] == [1, 1, 100.0]
    ranking = {row[0]: row[1:] for row in dashboards.ranking([team], START, END).rows}
    assert ranking[str(idle)] == [Decimal("0.00"), 0, 0]


def test_pool_health_and_revenue(team, history):
    pool, snapshot = dashboards.pool_health([team], START, END)
    assert dict(pool.rows)["2026-11-26"] == 1
    assert snapshot["assigned"] == 3

    revenue = dashboards.revenue([team], START, END)
    assert rows(revenue) == [["2026-11-23", 1, Decimal("10000"), Decimal("5500")]]


def test_the_charts_of_several_teams_add_up_each_teams_own(team, other_team, history):
    # One team's charts are read by statements compiled once per process, several teams' by the ORM: the two must
    # agree, and neither may count another team's rows.
    stranger = member(other_team, Role.REP)
    visits_for(stranger, other_team, date(2026, 11, 24), in_person=5, effective=1)
    owned_lead(other_team, stranger, stage=Stage.PROPOSAL)
    owned_lead(other_team, stranger, stage=Stage.CONTACTED, follow_up_deadline="2026-11-28T08:00:00+08:00")
    signed(
        owned_lead(other_team, stranger, stage=Stage.CONTRACT_SIGNED, state="customer"),
        "C",
        "7000",
        date(2026, 11, 25),
        payments=[("1000", date(2026, 11, 26))],
    )

    def numbers(teams):
        pool, snapshot = dashboards.pool_health(teams, START, END)
        return {
            "funnel": [row[1] for row in dashboards.funnel(teams, START, END).rows],
            "visits": [row[1:] for row in dashboards.visits_per_day(teams, START, END).rows],
            "revenue": [row[1:] for row in dashboards.revenue(teams, START, END).rows],
            "pool": [row[1] for row in pool.rows],
            "snapshot": [snapshot["public"].number, snapshot["assigned"], snapshot["private"]],
            "due": snapshot["due_within_a_day"],
        }

    ours, theirs, both = numbers([team]), numbers([other_team]), numbers([team, other_team])

    assert theirs["funnel"] == [3, 3, 2, 2, 2, 1, 0]  # a contacted lead, one at proposal, one signed
    assert theirs["visits"][1] == [5, 1]
    assert theirs["revenue"] == [[1, Decimal("7000.00"), Decimal("1000.00")]]
    assert theirs["due"] == 1
    for name in ("funnel", "pool", "snapshot"):
        assert both[name] == [a + b for a, b in zip(ours[name], theirs[name], strict=True)], name
    for name in ("visits", "revenue"):
        summed = [[a + b for a, b in zip(x, y, strict=True)] for x, y in zip(ours[name], theirs[name], strict=True)]
        assert both[name] == summed, name
    assert both["due"] == ours["due"] + theirs["due"]


def test_the_dashboard_is_for_managers_of_the_team(client, owner, manager, qc_user, other_manager, team):
    for user, status in ((owner, 403), (qc_user, 403), (manager, 200)):
        client.force_login(user)
        assert client.get(reverse("reports:dashboard")).status_code == status
    client.force_login(other_manager)
    assert client.get(reverse("reports:dashboard"), {"team": team.pk}).status_code == 404


def test_every_chart_downloads_as_a_csv(client, manager, team, history):
    client.force_login(manager)

    response = client.get(reverse("reports:dashboard"), {"start": "2026-11-23", "end": "2026-11-27", "csv": "visits"})

    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[2] == ["2026-11-24", "17", "5"]


def test_the_dashboard_runs_the_same_queries_for_a_small_and_a_large_team(client, manager, team, history):
    client.force_login(manager)
    params = {"start": "2026-11-23", "end": "2026-11-27"}
    client.get(reverse("reports:dashboard"), params)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:dashboard"), params).status_code == 200
        return len(queries)

    small = count()
    for _ in range(30):
        rep = member(team, Role.REP)
        visits_for(rep, team, date(2026, 11, 24), in_person=8, effective=2)
    assert count() == small


def test_reclaims_fall_on_each_teams_own_local_day(team, other_team, manager):
    """At 23:30 in Shanghai it is still the afternoon in London: each team counts on its own calendar."""
    from core.tests.factories import MembershipFactory

    other_team.time_zone = "Europe/London"
    other_team.save()
    MembershipFactory(user=manager, team=other_team, role=Role.MANAGER)
    moment = "2026-11-24T15:30:00+00:00"  # 23:30 on the 24th in Shanghai, 15:30 on the 24th in London
    later = "2026-11-24T23:30:00+00:00"  # 07:30 on the 25th in Shanghai, 23:30 on the 24th in London
    for lead_team, at in ((team, moment), (team, later), (other_team, moment), (other_team, later)):
        LeadEvent.objects.create(
            lead=LeadFactory(team=lead_team),
            team=lead_team,
            kind=EventKind.RECLAIMED,
            job="reclaim",
            from_state="assigned",
            to_state="public",
            created_at=at,
        )

    chart, _snapshot = dashboards.pool_health([team, other_team], date(2026, 11, 24), date(2026, 11, 25))

    # Shanghai: one on the 24th, one on the 25th. London: both on the 24th.
    assert rows(chart) == [["2026-11-24", 3], ["2026-11-25", 1]]


def test_a_chart_csv_runs_no_formula_a_rep_typed_into_their_name(client, manager, team, history):
    from core.tests.factories import member

    rep = member(team, Role.REP, username="mallory", name='=HYPERLINK("http://evil","x")')
    visits_for(rep, team, date(2026, 11, 24), in_person=1)
    client.force_login(manager)

    response = client.get(
        reverse("reports:dashboard"), {"start": "2026-11-23", "end": "2026-11-27", "csv": "compliance"}
    )

    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert ["'" + rep.name] == [row[0] for row in table if "HYPERLINK" in row[0]]


def test_the_dashboard_tables_show_each_value_escaped_and_localised(client, manager, owner, team, history):
    owner.name = "<b>王</b>伟"
    owner.save()
    client.force_login(manager)

    page = client.get(reverse("reports:dashboard"), {"start": "2026-11-23", "end": "2026-11-27"}).content.decode()

    assert "<td>&lt;b&gt;王&lt;/b&gt;伟</td>" in page
    assert "<b>王</b>" not in page
    assert "<td>10000.00</td>" in page  # the first contract's amount, as {{ value }} shows a Decimal


@pytest.mark.parametrize("language", ["en", "zh-hans", "de"])
@pytest.mark.parametrize("grouped", [False, True])
@given(
    cells=st.lists(
        st.one_of(
            st.floats(),
            st.integers(),
            st.booleans(),
            st.decimals(allow_nan=False, allow_infinity=False, places=2),
            st.dates(),
            st.text(max_size=5),
        ),
        max_size=6,
    )
)
# The autouse fixtures (the browser tests' own) are not the test's: nothing of them is shared between inputs.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_table_cell_reads_as_the_locale_writes_it(language, grouped, cells):
    # The tables write numbers without localize()'s look-ups per cell: what a manager reads must not change by it,
    # whatever the language's decimal separator (German's is a comma) and whether thousands are grouped.
    with override_settings(USE_THOUSAND_SEPARATOR=grouped), translation.override(language):
        written = table_body_rows([cells])
        expected = "<tr>" + "".join(f"<td>{escape(localize(cell))}</td>" for cell in cells) + "</tr>"
    assert written == expected
