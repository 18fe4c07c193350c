"""Reads for the daily pages: Today, the evening meeting and weekly compliance. Each runs a fixed number of
aggregate queries, however many reps and however much history a team has."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.access import scope_to_user
from core.calendar import start_of_day
from core.models import Team, User
from core.policy import policy_for
from core.selectors import active_reps
from leads.models import Lead, LeadState
from pools.models import EventKind, LeadEvent
from visits.models import DailyNote, Outcome, Visit, VisitMode, VisitPlan

# What counts: voided visits (falsified, found by QC) count nowhere.
COUNTED = Q(is_voided=False)
IN_PERSON = COUNTED & Q(mode=VisitMode.IN_PERSON)
VISIT_COUNTS = {
    "in_person": Count("pk", filter=IN_PERSON),
    "effective": Count("pk", filter=IN_PERSON & Q(outcome=Outcome.EFFECTIVE)),
    "cold": Count("pk", filter=IN_PERSON & Q(is_cold=True)),
    "phone": Count("pk", filter=COUNTED & Q(mode=VisitMode.PHONE)),
}


def leads_open_for_visits(rep: User) -> QuerySet[Lead]:
    """The leads a rep may log a visit on: their own open ones, and any that left them within the last day (a visit
    made before a lead moved may still be entered on it)."""
    recently_lost = LeadEvent.objects.filter(from_owner=rep, created_at__gte=timezone.now() - timedelta(days=1))
    return Lead.objects.filter(
        Q(owner=rep, state__in=(LeadState.ASSIGNED, LeadState.PRIVATE, LeadState.CUSTOMER))
        | Q(pk__in=recently_lost.values("lead"))
    )


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """Return the visits a user may open: a rep their own, managers and QC their teams', an admin all."""
    return scope_to_user(Visit.objects.all(), user, owner_field="rep")


@dataclass
class TodaySummary:
    day: date
    in_person: int
    effective: int
    visit_target: int
    effective_target: int
    effective_stretch: int
    plan: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    private_count: int = 0
    private_cap: int = 0
    visits: list = field(default_factory=list)

    @property
    def visit_percent(self) -> int:
        return min(100, round(100 * self.in_person / self.visit_target)) if self.visit_target else 100

    @property
    def effective_percent(self) -> int:
        return min(100, round(100 * self.effective / self.effective_target)) if self.effective_target else 100

    @property
    def targets_met(self) -> bool:
        return self.in_person >= self.visit_target and self.effective >= self.effective_target


def today_for(rep: User, team: Team, day: date, now) -> TodaySummary:
    policy = policy_for(team)
    counts = Visit.objects.filter(rep=rep, day=day).aggregate(**VISIT_COUNTS)
    visited_today = set(
        Visit.objects.filter(rep=rep, day=day, is_voided=False, lead__isnull=False).values_list("lead_id", flat=True)
    )
    plan = [
        (item, item.lead_id in visited_today)
        for item in VisitPlan.objects.filter(rep=rep, day=day).select_related("lead")
    ]
    horizon = now + timedelta(hours=max(policy.remind_before_hours, 24))
    due_soon = list(
        Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED)
        .filter(Q(follow_up_deadline__lte=horizon, last_follow_up_at__isnull=True) | Q(resolve_deadline__lte=horizon))
        .order_by("follow_up_deadline", "resolve_deadline")[:20]
    )
    return TodaySummary(
        day=day,
        in_person=counts["in_person"],
        effective=counts["effective"],
        visit_target=policy.daily_visit_target,
        effective_target=policy.daily_effective_target,
        effective_stretch=policy.daily_effective_stretch,
        plan=plan,
        due_soon=due_soon,
        private_count=Lead.objects.filter(owner=rep, state=LeadState.PRIVATE).count(),
        private_cap=policy.private_cap,
        visits=list(Visit.objects.filter(rep=rep, day=day).select_related("lead")[:30]),
    )


@dataclass
class MeetingRow:
    rep: User
    in_person: int = 0
    effective: int = 0
    cold: int = 0
    phone: int = 0
    new_leads: int = 0
    conversions: int = 0
    win: str = ""
    difficulty: str = ""
    visit_target: int = 0
    effective_target: int = 0

    @property
    def target_met(self) -> bool:
        return self.in_person >= self.visit_target and self.effective >= self.effective_target


def _event_counts(team: Team, first_day: date, last_day: date, kinds) -> dict:
    """Return {(rep id, kind): count} of lead events the team's reps made in the team-local days given."""
    start = start_of_day(team, _noon(team, first_day))
    end = start_of_day(team, _noon(team, last_day + timedelta(days=1)))
    rows = (
        LeadEvent.objects.filter(kind__in=kinds, actor__in=active_reps(team), created_at__gte=start, created_at__lt=end)
        .values_list("actor", "kind")
        .annotate(count=Count("pk"))
    )
    return {(actor, kind): count for actor, kind, count in rows}


def _noon(team: Team, day: date):
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(team.time_zone))


def evening_meeting(team: Team, day: date) -> tuple[list[MeetingRow], MeetingRow]:
    """Return a row per active rep of the team for `day`, and the team's totals."""
    policy = policy_for(team)
    reps = list(active_reps(team).order_by("username"))
    rows = {
        rep.pk: MeetingRow(
            rep=rep, visit_target=policy.daily_visit_target, effective_target=policy.daily_effective_target
        )
        for rep in reps
    }
    for counts in Visit.objects.filter(team=team, day=day).values("rep").annotate(**VISIT_COUNTS):
        row = rows.get(counts.pop("rep"))
        if row is not None:
            row.__dict__.update(counts)
    events = _event_counts(team, day, day, [EventKind.CREATED, EventKind.CONVERTED])
    for row in rows.values():
        row.new_leads = events.get((row.rep.pk, EventKind.CREATED), 0)
        row.conversions = events.get((row.rep.pk, EventKind.CONVERTED), 0)
    for note in DailyNote.objects.filter(team=team, day=day):
        if note.rep_id in rows:
            rows[note.rep_id].win, rows[note.rep_id].difficulty = note.win, note.difficulty
    totals = MeetingRow(rep=None)
    for row in rows.values():
        for name in ("in_person", "effective", "cold", "phone", "new_leads", "conversions"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return list(rows.values()), totals


@dataclass
class ComplianceRow:
    rep: User
    days: list = field(default_factory=list)  # (day, in person, effective, met) per day of the week

    @property
    def missed(self) -> int:
        return sum(1 for _day, _visits, _effective, met in self.days if not met)


def weekly_compliance(team: Team, monday: date, last_day: date | None = None) -> list[ComplianceRow]:
    """Return, per active rep, each working day of the week (Monday to Saturday, up to `last_day`) and whether
    both daily targets were met."""
    policy = policy_for(team)
    days = [monday + timedelta(days=offset) for offset in range(6)]
    if last_day is not None:
        days = [day for day in days if day <= last_day]
    reps = list(active_reps(team).order_by("username"))
    counts = {
        (row["rep"], row["day"]): row
        for row in Visit.objects.filter(team=team, day__in=days).values("rep", "day").annotate(**VISIT_COUNTS)
    }
    result = []
    for rep in reps:
        row = ComplianceRow(rep=rep)
        for day in days:
            found = counts.get((rep.pk, day), {"in_person": 0, "effective": 0})
            met = (
                found["in_person"] >= policy.daily_visit_target and found["effective"] >= policy.daily_effective_target
            )
            row.days.append((day, found["in_person"], found["effective"], met))
        result.append(row)
    return result
