"""The manager's morning briefing: per team, how yesterday went and what today holds, each number a way into the
list behind it. A fixed number of grouped queries for any number of teams (an admin sees a hundred)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from core.calendar import day_bounds, local_day
from core.models import Membership, Role, Team, TeamPolicy, User
from core.paging import Tally, tally
from core.policy import policies_of
from leads.deadlines import due_by
from leads.models import EventKind, Lead, LeadEvent, LeadState
from pools.models import AllocationRun
from qc.models import Incident
from visits.counting import targets_met
from visits.models import RepDay

# Incidents a manager should have seen: those of the last week.
INCIDENT_DAYS = 7


@dataclass
class TeamBriefing:
    team: Team
    policy: TeamPolicy
    today: date
    yesterday: date
    reps: int = 0
    visits: int = 0
    effective: int = 0
    missed: list[User] = field(default_factory=list)
    reclaimed: int = 0
    reclaimed_from: list[tuple[User, int]] = field(default_factory=list)
    due_today: int = 0
    pool: Tally | None = None
    allocation: AllocationRun | None = None
    incidents: int = 0

    @property
    def visit_target(self) -> int:
        return self.reps * self.policy.daily_visit_target

    @property
    def effective_target(self) -> int:
        return self.reps * self.policy.daily_effective_target

    @property
    def allocation_status(self) -> str:
        """done, short (done, but the pool ran out), waiting (the morning job will run) or to_do (the manager's)."""
        if self.allocation is not None:
            return "short" if self.allocation.shortfall else "done"
        return "waiting" if self.policy.auto_allocate else "to_do"


def morning_briefing(teams: list[Team], now: datetime | None = None) -> list[TeamBriefing]:
    now = now or timezone.now()
    policies = policies_of(teams)
    briefings = {
        team.pk: TeamBriefing(
            team=team,
            policy=policies[team.pk],
            today=local_day(team, now),
            yesterday=local_day(team, now) - timedelta(days=1),
        )
        for team in teams
    }
    if not briefings:
        return []
    _yesterdays_visits(briefings)
    _reclaimed_yesterday(briefings)
    horizon = now + timedelta(hours=24)
    for team_id, count in _count_per_team(Lead.objects.filter(team__in=teams).filter(due_by(horizon))):
        briefings[team_id].due_today = count
    for run in AllocationRun.objects.filter(team__in=teams, day__in={b.today for b in briefings.values()}).order_by(
        "created_at"
    ):
        if run.day == briefings[run.team_id].today:
            briefings[run.team_id].allocation = run
    since = now - timedelta(days=INCIDENT_DAYS)
    for team_id, count in _count_per_team(Incident.objects.filter(team__in=teams, created_at__gte=since)):
        briefings[team_id].incidents = count
    for briefing in briefings.values():
        briefing.pool = tally(Lead.objects.filter(team=briefing.team, state=LeadState.PUBLIC))
    return list(briefings.values())


def _count_per_team(rows) -> list[tuple[int, int]]:
    return list(rows.order_by().values_list("team").annotate(count=Count("pk")).values_list("team", "count"))


def _yesterdays_visits(briefings: dict[int, TeamBriefing]) -> None:
    """Yesterday's counted visits from the kept counts, and the reps who missed a target (no visit is a miss)."""
    reps: dict[int, list[User]] = {team_id: [] for team_id in briefings}
    for membership in Membership.objects.filter(
        team__in=list(briefings), role=Role.REP, user__is_active=True
    ).select_related("user"):
        reps[membership.team_id].append(membership.user)
    days = {briefing.yesterday for briefing in briefings.values()}
    counts = {
        (row["team"], row["rep"], row["day"]): row
        for row in RepDay.objects.filter(team__in=list(briefings), day__in=days)
        .values("team", "rep", "day")
        .annotate(in_person=Sum("in_person"), effective=Sum("effective"))
    }
    for team_id, briefing in briefings.items():
        briefing.reps = len(reps[team_id])
        for rep in sorted(reps[team_id], key=str):
            found = counts.get((team_id, rep.pk, briefing.yesterday), {"in_person": 0, "effective": 0})
            briefing.visits += found["in_person"]
            briefing.effective += found["effective"]
            if not targets_met(found, briefing.policy):
                briefing.missed.append(rep)


def _reclaimed_yesterday(briefings: dict[int, TeamBriefing]) -> None:
    """Leads the reclaim job took back yesterday, per team and per rep who lost them."""
    # Teams sharing a time zone share yesterday's bounds: one query for each zone (usually one in all).
    by_zone: dict[tuple[date, str], list[Team]] = {}
    for briefing in briefings.values():
        by_zone.setdefault((briefing.yesterday, briefing.team.time_zone), []).append(briefing.team)
    losers = {}
    for (day, _zone), teams in by_zone.items():
        start, end = day_bounds(teams[0], day)
        rows = (
            LeadEvent.objects.filter(
                team__in=teams, kind=EventKind.RECLAIMED, created_at__gte=start, created_at__lt=end
            )
            .values_list("team", "from_owner")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for team_id, rep_id, count in rows:
            briefings[team_id].reclaimed += count
            if rep_id is not None:
                losers.setdefault(team_id, []).append((rep_id, count))
    names = User.objects.in_bulk({rep_id for rows in losers.values() for rep_id, _count in rows})
    for team_id, rows in losers.items():
        briefings[team_id].reclaimed_from = sorted(
            ((names[rep_id], count) for rep_id, count in rows), key=lambda pair: -pair[1]
        )
