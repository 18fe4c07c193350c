"""The daily reports of a team: the evening meeting (夕会) of one day and the week's compliance with the targets.

Each runs a fixed number of aggregate queries, however many reps and however much history a team has.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, Count, DateField, DateTimeField, Q, Sum

from core.calendar import day_bounds, last_closed_day
from core.models import Team, User
from core.policy import policy_for
from core.selectors import active_reps
from core.statements import Slot, Statement
from deals.models import STANDING, Contract, Payment
from leads.models import EventKind, LeadEvent
from visits.counting import COUNTED_VISIT, targets_met, visit_counts
from visits.models import DailyNote, Visit


@dataclass
class MeetingRow:
    rep: User
    in_person: int = 0
    effective: int = 0
    cold: int = 0
    phone: int = 0
    new_leads: int = 0
    conversions: int = 0
    checked_in: int = 0
    contracts: int = 0
    contract_amount: Decimal = Decimal("0")
    collected: Decimal = Decimal("0")
    win: str = ""
    difficulty: str = ""
    target_met: bool = False


# The evening meeting is opened by every manager at the same hour and refreshed every minute on the projector: its
# reads are compiled once per process (core.statements), the rules they are built from keep their homes.
def _team() -> Slot:
    return Slot("team", BigIntegerField())


def _day() -> Slot:
    return Slot("day", DateField())


def _events_of_reps(kind: str, rep_field: str) -> Statement:
    """{rep id: count} of lead events of `kind` between two moments, each the rep's named by `rep_field` (who
    acted, or whose lead it became), for the team's active reps."""
    return Statement(
        lambda: (
            LeadEvent.objects.filter(
                kind=kind,
                **{f"{rep_field}__in": active_reps(_team())},
                created_at__gte=Slot("start", DateTimeField()),
                created_at__lt=Slot("end", DateTimeField()),
            )
            .values_list(rep_field)
            .annotate(count=Count("pk"))
        )
    )


# With the counts, the counted visits with evidence from the door: how much of the day stands on more than words.
MEETING_COUNTS = (*visit_counts(), "checked_in")
_MEETING_REPS = Statement(lambda: active_reps(_team()).order_by("username"))
_MEETING_VISITS = Statement(
    lambda: (
        Visit.objects.filter(team_id=_team(), day=_day())
        .values_list("rep")
        .annotate(**visit_counts(), checked_in=Count("pk", filter=COUNTED_VISIT & Q(check_in__isnull=False)))
        .order_by()
    )
)
_MEETING_CREATED = _events_of_reps(EventKind.CREATED, "actor")
# A conversion is the rep's whoever recorded it: the rep signing the contract, or a manager deciding.
_MEETING_CONVERTED = _events_of_reps(EventKind.CONVERTED, "to_owner")
# Contracts signed and money received on the day, each the rep's whose contract it is. A reversal entry carries its
# original's day, so a correction nets out of the day it corrects.
_MEETING_CONTRACTS = Statement(
    lambda: (
        Contract.objects.filter(team_id=_team(), signed_on=_day())
        .values_list("signed_by")
        .annotate(count=Count("pk", filter=STANDING), amount=Sum("amount"))
        .order_by()
    )
)
_MEETING_PAYMENTS = Statement(
    lambda: (
        Payment.objects.filter(contract__team_id=_team(), received_on=_day())
        .values_list("contract__signed_by")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
)
_MEETING_NOTES = Statement(
    lambda: DailyNote.objects.filter(team_id=_team(), day=_day()).values_list("rep_id", "win", "difficulty")
)


def evening_meeting(team: Team, day: date) -> tuple[list[MeetingRow], MeetingRow]:
    """Return a row per active rep of the team for `day`, and the team's totals."""
    policy = policy_for(team)
    the_team, the_day = {"team": team.pk}, {"team": team.pk, "day": day}
    rows = {rep.pk: MeetingRow(rep=rep) for rep in _MEETING_REPS.objects(**the_team)}
    for rep_id, *counts in _MEETING_VISITS.rows(**the_day):
        if rep_id in rows:
            rows[rep_id].__dict__.update(zip(MEETING_COUNTS, counts, strict=True))
    start, end = day_bounds(team, day, day)
    created = dict(_MEETING_CREATED.rows(**the_team, start=start, end=end))
    converted = dict(_MEETING_CONVERTED.rows(**the_team, start=start, end=end))
    for row in rows.values():
        row.new_leads = created.get(row.rep.pk, 0)
        row.conversions = converted.get(row.rep.pk, 0)
        row.target_met = targets_met(vars(row), policy)
    for rep_id, count, amount in _MEETING_CONTRACTS.rows(**the_day):
        if rep_id in rows:
            rows[rep_id].contracts, rows[rep_id].contract_amount = count, amount
    for rep_id, amount in _MEETING_PAYMENTS.rows(**the_day):
        if rep_id in rows:
            rows[rep_id].collected = amount
    for rep_id, win, difficulty in _MEETING_NOTES.rows(**the_day):
        if rep_id in rows:
            rows[rep_id].win, rows[rep_id].difficulty = win, difficulty
    totals = MeetingRow(rep=None)
    for row in rows.values():
        for name in MEETING_TOTALS:
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return list(rows.values()), totals


MEETING_TOTALS = (
    "in_person",
    "effective",
    "cold",
    "phone",
    "new_leads",
    "conversions",
    "checked_in",
    "contracts",
    "contract_amount",
    "collected",
)


@dataclass
class ComplianceRow:
    rep: User
    days: list = field(default_factory=list)  # (day, in person, effective, met) per day of the week

    @property
    def missed(self) -> int:
        return sum(1 for _day, _visits, _effective, met in self.days if not met)


# Compliance weeks run Monday to Saturday: Sunday is no working day of the method.
WORKING_DAYS = 6


def last_complete_week(team: Team, now=None) -> date:
    """Return the Monday of the latest week whose every working day has closed for entry: the week a manager judges
    (on a Monday, last week; once Saturday's entry has closed, this one)."""
    closed = last_closed_day(team, now)
    monday = closed - timedelta(days=closed.weekday())
    if closed < monday + timedelta(days=WORKING_DAYS - 1):
        monday -= timedelta(days=7)
    return monday


def weekly_compliance(team: Team, monday: date, last_day: date | None = None) -> list[ComplianceRow]:
    """Return, per active rep, each working day of the week (Monday to Saturday, up to `last_day`) and whether
    both daily targets were met."""
    policy = policy_for(team)
    days = [monday + timedelta(days=offset) for offset in range(WORKING_DAYS)]
    if last_day is not None:
        days = [day for day in days if day <= last_day]
    counts = {
        (row["rep"], row["day"]): row
        for row in Visit.objects.filter(team=team, day__in=days).values("rep", "day").annotate(**visit_counts())
    }
    result = []
    for rep in active_reps(team).order_by("username"):
        row = ComplianceRow(rep=rep)
        for day in days:
            found = counts.get((rep.pk, day), {"in_person": 0, "effective": 0})
            row.days.append((day, found["in_person"], found["effective"], targets_met(found, policy)))
        result.append(row)
    return result
