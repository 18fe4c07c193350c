"""The managers' dashboards: each chart is one or two aggregate queries over the chosen teams and period, never a
query per rep, so a dashboard costs the same for 5 reps or 5,000."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, Count, DateField, DateTimeField, Field, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import day_bounds, zone_of
from core.models import Membership, Role, Team, TeamPolicy, User
from core.paging import tally
from core.policy import policy_for
from core.statements import Slot, Statement
from deals.models import STANDING, Contract, Payment
from leads.deadlines import due_by
from leads.lifecycle import WORKING_STATES
from leads.models import STAGE_PATH, EventKind, Lead, LeadEvent, LeadState, Stage
from visits.counting import targets_met_sql
from visits.models import RepDay


@dataclass
class Chart:
    """A chart and the table behind it: the same numbers, shown, drawn and downloadable."""

    name: str
    title: str
    kind: str  # "bar", "line", "funnel"
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    notes: str = ""
    plotted: tuple[int, ...] = ()  # the columns drawn (one scale per chart); the table shows them all

    def as_data(self) -> dict:
        labels = [str(row[0]) for row in self.rows]
        drawn = self.plotted or tuple(range(1, len(self.columns)))
        series = [
            {"label": str(self.columns[index]), "data": [_plain(row[index]) for row in self.rows]}
            for index in drawn
            if all(isinstance(row[index], int | float | Decimal) for row in self.rows)
        ]
        return {"kind": self.kind, "title": str(self.title), "labels": labels, "series": series}


def _money(value) -> Decimal:
    """An amount as the database keeps it, to the fen: SQLite's sums come back without the two decimals."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


Teams = list[int] | Slot  # the teams' ids, or where one team's id goes in a compiled statement


def _of(teams: Teams, path: str = "team_id") -> dict:
    """The filter on the chosen teams, at `path`."""
    return {path: teams} if isinstance(teams, Slot) else {f"{path}__in": teams}


class TeamsRead:
    """A chart's read of the chosen teams. A manager mostly looks at one team: for one, the read is compiled once per
    process (core.statements) and only run after; for several, the ORM builds it. `build(teams, **values)` writes it
    once for both, `slots` says how each value of a call is written for the database."""

    def __init__(self, build: Callable[..., QuerySet], **slots: Field):
        self._build = build
        self._one_team = Statement(
            lambda: build(Slot("team", BigIntegerField()), **{name: Slot(name, kind) for name, kind in slots.items()})
        )

    def rows(self, teams: list[Team], **values) -> list[tuple]:
        if len(teams) == 1:
            return self._one_team.rows(team=teams[0].pk, **values)
        return list(self._build([team.pk for team in teams], **values))


_DEALS_BY_STAGE = TeamsRead(
    lambda teams: (
        Lead.objects.filter(**_of(teams))
        .exclude(stage=Stage.CLOSED)
        .exclude(state=LeadState.PUBLIC, stage=Stage.NEW)
        .values_list("stage")
        .annotate(count=Count("pk"))
        .order_by()
    )
)


def funnel(teams: list[Team], start: date, end: date) -> Chart:
    """How many open deals have reached each stage, and the share that made it from the stage before."""
    counts = dict(_DEALS_BY_STAGE.rows(teams))
    columns = [_("Stage"), _("Deals"), _("Conversion from the stage before (%)")]
    chart = Chart("funnel", _("Funnel by stage"), "funnel", columns, plotted=(1,))
    previous = None
    for index, stage in enumerate(STAGE_PATH):
        reached = sum(counts.get(later, 0) for later in STAGE_PATH[index:])
        rate = round(100 * reached / previous, 1) if previous else None
        chart.rows.append([Stage(stage).label, reached, rate if rate is not None else "—"])
        previous = reached
    chart.notes = str(_("Owned leads and customers today; public leads that were never worked are left out."))
    return chart


_VISITS_BY_DAY = TeamsRead(
    lambda teams, start, end: (
        RepDay.objects.filter(**_of(teams), day__gte=start, day__lte=end)
        .values_list("day")
        .annotate(in_person=Sum("in_person"), effective=Sum("effective"))
        .order_by()
    ),
    start=DateField(),
    end=DateField(),
)


def visits_per_day(teams: list[Team], start: date, end: date) -> Chart:
    found = {day: counts for day, *counts in _VISITS_BY_DAY.rows(teams, start=start, end=end)}
    chart = Chart("visits", _("Visits per day"), "line", [_("Day"), _("In-person visits"), _("Effective visits")])
    for day in _days(start, end):
        chart.rows.append([day.isoformat(), *found.get(day, (0, 0))])
    return chart


@dataclass
class RepDays:
    rep: str  # the rep's name as shown (a 5,000-rep team's dashboard builds no user objects for it)
    username: str
    worked_days: int = 0
    days_met: int = 0
    visits: int = 0
    effective: int = 0
    contract_amount: Decimal = Decimal("0.00")


REP_DAYS_SQL = """
SELECT member.user_id, person.username, person.name, days.worked, days.met, days.visits, days.effective,
       signed.amount
  FROM {membership_table} AS member
  JOIN {user_table} AS person ON person.id = member.user_id
  LEFT JOIN (SELECT per_day.rep_id, COUNT(*) AS worked, SUM(CASE WHEN {targets_met} THEN 1 ELSE 0 END) AS met,
                    SUM(per_day.in_person) AS visits, SUM(per_day.effective) AS effective
               FROM {rep_day_table} AS per_day
               JOIN {policy_table} AS policy ON policy.team_id = per_day.team_id
              WHERE per_day.team_id IN ({teams}) AND per_day.day BETWEEN %s AND %s
              GROUP BY per_day.rep_id) AS days ON days.rep_id = member.user_id
  LEFT JOIN (SELECT contract.signed_by_id, SUM(contract.amount) AS amount
               FROM {contract_table} AS contract
              WHERE contract.team_id IN ({teams}) AND contract.signed_on BETWEEN %s AND %s
              GROUP BY contract.signed_by_id) AS signed ON signed.signed_by_id = member.user_id
 WHERE member.team_id IN ({teams}) AND member.role = %s AND person.is_active
"""


def _rep_days(teams: list[Team], start: date, end: date) -> list[RepDays]:
    """Per active rep of the teams: visits, effective visits, days worked, days both targets were met, and the
    amount of the contracts they signed (a reversal nets its contract out)."""
    if not teams:
        return []
    for team in teams:
        policy_for(team)  # the targets the query joins
    # One statement: the reps with their days judged in the database, on the counts kept per rep and day, and their
    # contracts; one row per rep comes back.
    team_ids = [team.pk for team in teams]
    sql = REP_DAYS_SQL.format(
        membership_table=Membership._meta.db_table,
        user_table=User._meta.db_table,
        rep_day_table=RepDay._meta.db_table,
        contract_table=Contract._meta.db_table,
        policy_table=TeamPolicy._meta.db_table,
        targets_met=targets_met_sql("per_day", "policy"),
        teams=", ".join(["%s"] * len(teams)),
    )
    rows: dict[int, RepDays] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*team_ids, start, end, *team_ids, start, end, *team_ids, Role.REP])
        for rep_id, username, name, worked_days, days_met, visits, effective, amount in cursor.fetchall():
            rows[rep_id] = RepDays(
                rep=User.shown_as(name, username),
                username=username,
                worked_days=int(worked_days or 0),
                days_met=int(days_met or 0),
                visits=int(visits or 0),
                effective=int(effective or 0),
                contract_amount=_money(amount),
            )
    return sorted(rows.values(), key=lambda row: row.username)


def compliance(teams: list[Team], start: date, end: date, rep_days=None) -> Chart:
    rep_days = rep_days if rep_days is not None else _rep_days(teams, start, end)
    chart = Chart(
        "compliance",
        _("Target compliance by rep"),
        "bar",
        [_("Rep"), _("Days targets met"), _("Days with visits"), _("Compliance (%)")],
        plotted=(3,),
    )
    for row in rep_days:
        rate = round(100 * row.days_met / row.worked_days, 1) if row.worked_days else 0
        chart.rows.append([row.rep, row.days_met, row.worked_days, rate])
    return chart


def ranking(teams: list[Team], start: date, end: date, rep_days=None) -> Chart:
    """The top and bottom reps of the period: contract amount first, then effective visits."""
    rep_days = rep_days if rep_days is not None else _rep_days(teams, start, end)
    ordered = sorted(rep_days, key=lambda row: (row.contract_amount, row.effective, row.visits), reverse=True)
    shown = ordered if len(ordered) <= 6 else [*ordered[:3], *ordered[-3:]]
    chart = Chart(
        "ranking",
        _("Top and bottom reps"),
        "bar",
        [_("Rep"), _("Contracts signed (CNY)"), _("Effective visits"), _("In-person visits")],
        plotted=(1,),
    )
    for row in shown:
        chart.rows.append([row.rep, row.contract_amount, row.effective, row.visits])
    return chart


_OWNED_BY_STATE = TeamsRead(
    lambda teams: (
        Lead.objects.filter(**_of(teams), state__in=WORKING_STATES)
        .values_list("state")
        .annotate(count=Count("pk"))
        .order_by()
    )
)
# Per team, summed: a compiled statement reads rows, not a bare count.
_DUE_BY = TeamsRead(
    lambda teams, moment: (
        Lead.objects.filter(due_by(moment), **_of(teams)).values_list("team_id").annotate(count=Count("pk")).order_by()
    ),
    moment=DateTimeField(),
)


def pool_health(teams: list[Team], start: date, end: date) -> tuple[Chart, dict]:
    """Reclaims per day over the period, and the pool as it stands now."""
    now = timezone.now()
    # The owned leads are counted (an index holds just them); the public pool is tallied, "about" when it is huge.
    by_state = dict(_OWNED_BY_STATE.rows(teams))
    snapshot = {
        "public": tally(Lead.objects.filter(team__in=teams, state=LeadState.PUBLIC)),
        "assigned": by_state.get(LeadState.ASSIGNED, 0),
        "private": by_state.get(LeadState.PRIVATE, 0),
        "due_within_a_day": sum(count for _team, count in _DUE_BY.rows(teams, moment=now + timedelta(days=1))),
    }
    # Each team's reclaims fall on its own local days: one query per time zone among the teams.
    teams_by_zone: dict[str, list[Team]] = {}
    for team in teams:
        teams_by_zone.setdefault(team.time_zone, []).append(team)
    reclaimed: dict[date, int] = {}
    for zone_teams in teams_by_zone.values():
        first, after = day_bounds(zone_teams[0], start, end)
        for day, count in (
            LeadEvent.objects.filter(
                team__in=zone_teams, kind=EventKind.RECLAIMED, created_at__gte=first, created_at__lt=after
            )
            .annotate(day=TruncDate("created_at", tzinfo=zone_of(zone_teams[0])))
            .values_list("day")
            .annotate(count=Count("pk"))
            .values_list("day", "count")
        ):
            reclaimed[day] = reclaimed.get(day, 0) + count
    chart = Chart("pool", _("Leads reclaimed per day"), "bar", [_("Day"), _("Reclaimed")])
    for day in _days(start, end):
        chart.rows.append([day.isoformat(), reclaimed.get(day, 0)])
    return chart, snapshot


_CONTRACTS_BY_WEEK = TeamsRead(
    lambda teams, start, end: (
        Contract.objects.filter(**_of(teams), signed_on__gte=start, signed_on__lte=end)
        .annotate(week=TruncWeek("signed_on"))
        .values_list("week")
        # A reversal entry nets its contract out of the amount, and neither is counted as signed.
        .annotate(count=Count("pk", filter=STANDING), amount=Sum("amount"))
        .order_by()
    ),
    start=DateField(),
    end=DateField(),
)
_PAYMENTS_BY_WEEK = TeamsRead(
    lambda teams, start, end: (
        Payment.objects.filter(**_of(teams, "contract__team_id"), received_on__gte=start, received_on__lte=end)
        .annotate(week=TruncWeek("received_on"))
        .values_list("week")
        .annotate(amount=Sum("amount"))
        .order_by()
    ),
    start=DateField(),
    end=DateField(),
)


def revenue(teams: list[Team], start: date, end: date) -> Chart:
    """Contracts signed and payments collected, per week."""
    contracts = {week: (count, amount) for week, count, amount in _CONTRACTS_BY_WEEK.rows(teams, start=start, end=end)}
    payments = dict(_PAYMENTS_BY_WEEK.rows(teams, start=start, end=end))
    chart = Chart(
        "revenue",
        _("Contracts and payments per week"),
        "bar",
        [_("Week of"), _("Contracts signed"), _("Contract amount (CNY)"), _("Payments collected (CNY)")],
        plotted=(2, 3),
    )
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        count, amount = contracts.get(monday, (0, None))
        chart.rows.append([monday.isoformat(), count, _money(amount), _money(payments.get(monday))])
        monday += timedelta(days=7)
    return chart


def all_charts(teams: list[Team], start: date, end: date) -> tuple[list[Chart], dict]:
    rep_days = _rep_days(teams, start, end)
    pool_chart, snapshot = pool_health(teams, start, end)
    charts = [
        funnel(teams, start, end),
        visits_per_day(teams, start, end),
        compliance(teams, start, end, rep_days),
        pool_chart,
        revenue(teams, start, end),
        ranking(teams, start, end, rep_days),
    ]
    return charts, snapshot
