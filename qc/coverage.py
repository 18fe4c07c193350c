"""QC coverage: how much of each rep's work was audited lately, and how likely a rep who invents visits would have
been caught by now under the team's current draw settings.

The chance is worked out, not simulated, from the rep's own days: on a day with n visits of which F are invented,
a draw that audits k of them misses every invented one with probability C(n−F, k) / C(n, k) (hypergeometric); an
audited invented visit is exposed with probability FOUND_WHEN_AUDITED (the customer is reached and says so). Days
are independent draws, so

    P(caught by now) = 1 − Π over the rep's days of (1 − FOUND_WHEN_AUDITED · (1 − C(n−F, k) / C(n, k)))

with k = max(minimum per rep, round(effective × effective rate) + round(potential × potential rate)), capped at n.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from math import comb

from django.db.models import Count, Q

from core.models import Team, TeamPolicy, User
from core.policy import policy_for
from core.selectors import active_reps
from qc.models import Sample, SampleStatus
from visits.models import RepDay

WEEKS = 4
INVENTED_PER_DAY = 2
# Measured on generated months: a sampled invented visit is exposed 9 times in 10 (the rest: customer unreachable).
FOUND_WHEN_AUDITED = 0.9
FORMULA = "P = 1 − Π_days (1 − 0.9 · (1 − C(n−2, k) / C(n, k)))"


@dataclass
class RepCoverage:
    rep: User
    days: int = 0
    visits: int = 0
    sampled: int = 0
    audited: int = 0
    chance: float = 0.0

    @property
    def chance_percent(self) -> int:
        return round(100 * self.chance)


def audits_per_day(policy: TeamPolicy, effective: int, potential: int) -> int:
    """How many of a rep's visits of one day the draw audits under `policy`."""
    by_rate = round(effective * float(policy.qc_effective_rate) / 100) + round(
        potential * float(policy.qc_potential_rate) / 100
    )
    return min(max(policy.qc_minimum_per_rep, by_rate), effective + potential)


def chance_caught(days: list[tuple[int, int]], invented: int = INVENTED_PER_DAY) -> float:
    """The chance that at least one invented visit is exposed over `days` of (visits, audited) pairs."""
    missed = 1.0
    for visits, audited in days:
        if visits < invented or audited <= 0:
            continue
        none_audited = comb(visits - invented, audited) / comb(visits, audited)
        missed *= 1 - FOUND_WHEN_AUDITED * (1 - none_audited)
    return 1 - missed


def qc_coverage(team: Team, today: date) -> list[RepCoverage]:
    """Per active rep of the team, the last WEEKS weeks: days worked, visits, sampled and audited, and the chance."""
    policy = policy_for(team)
    first = today - timedelta(weeks=WEEKS)
    rows = {rep.pk: RepCoverage(rep=rep) for rep in active_reps(team).order_by("name", "username")}
    days: dict[int, list[tuple[int, int]]] = {rep_id: [] for rep_id in rows}
    for rep_id, visits, effective in RepDay.objects.filter(
        team=team, day__gte=first, day__lt=today, rep_id__in=list(rows)
    ).values_list("rep_id", "visits", "effective"):
        row = rows[rep_id]
        row.days += 1
        row.visits += visits
        days[rep_id].append((visits, audits_per_day(policy, effective, max(visits - effective, 0))))
    for rep_id, sampled, audited in (
        Sample.objects.filter(
            draw__team=team, visit__day__gte=first, visit__day__lt=today, visit__rep_id__in=list(rows)
        )
        .values_list("visit__rep_id")
        .annotate(
            sampled=Count("pk"),
            audited=Count("pk", filter=~Q(status__in=(SampleStatus.PENDING, SampleStatus.UNREACHABLE))),
        )
        .order_by()
    ):
        rows[rep_id].sampled, rows[rep_id].audited = sampled, audited
    for rep_id, row in rows.items():
        row.chance = chance_caught(days[rep_id])
    return list(rows.values())
