"""The daily reports of a team: the evening meeting (夕会) of one day and the week's compliance with the targets.

Each runs a fixed number of aggregate queries, however many reps and however much history a team has.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from core.calendar import day_bounds, last_closed_day
from core.models import Team, User
from core.policy import policy_for
from core.selectors import active_reps
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


def _event_counts(team: Team, first_day: date, last_day: date, kind: str, *, rep_field: str) -> dict:
    """Return {rep id: count} of lead events of `kind` in the team-local days given, each counted for the rep named
    by `rep_field` (who acted, or whose lead it became)."""
    start, end = day_bounds(team, first_day, last_day)
    rows = (
        LeadEvent.objects.filter(
            kind=kind, **{f"{rep_field}__in": active_reps(team)}, created_at__gte=start, created_at__lt=end
        )
        .values_list(rep_field)
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def evening_meeting(team: Team, day: date) -> tuple[list[MeetingRow], MeetingRow]:
    """Return a row per active rep of the team for `day`, and the team's totals."""
    policy = policy_for(team)
    rows = {rep.pk: MeetingRow(rep=rep) for rep in active_reps(team).order_by("username")}
    # With the counts, the counted visits with evidence from the door: how much of the day stands on more than words.
    with_check_in = Count("pk", filter=COUNTED_VISIT & Q(check_in__isnull=False))
    for counts in (
        Visit.objects.filter(team=team, day=day).values("rep").annotate(**visit_counts(), checked_in=with_check_in)
    ):
        row = rows.get(counts.pop("rep"))
        if row is not None:
            row.__dict__.update(counts)
    created = _event_counts(team, day, day, EventKind.CREATED, rep_field="actor")
    # A conversion is the rep's whoever recorded it: the rep signing the contract, or a manager deciding.
    converted = _event_counts(team, day, day, EventKind.CONVERTED, rep_field="to_owner")
    for row in rows.values():
        row.new_leads = created.get(row.rep.pk, 0)
        row.conversions = converted.get(row.rep.pk, 0)
        row.target_met = targets_met(vars(row), policy)
    _add_money(rows, team, day)
    for note in DailyNote.objects.filter(team=team, day=day):
        if note.rep_id in rows:
            rows[note.rep_id].win, rows[note.rep_id].difficulty = note.win, note.difficulty
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


def _add_money(rows: dict[int, MeetingRow], team: Team, day: date) -> None:
    """Contracts signed on `day` and money received on `day`, each the rep's whose contract it is. A reversal entry
    carries its original's day, so a correction nets out of the day it corrects."""
    for rep_id, count, amount in (
        Contract.objects.filter(team=team, signed_on=day)
        .values_list("signed_by")
        .annotate(count=Count("pk", filter=STANDING), amount=Sum("amount"))
        .order_by()
    ):
        if rep_id in rows:
            rows[rep_id].contracts, rows[rep_id].contract_amount = count, amount
    for rep_id, amount in (
        Payment.objects.filter(contract__team=team, received_on=day)
        .values_list("contract__signed_by")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        if rep_id in rows:
            rows[rep_id].collected = amount


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
