"""The timers of an owned lead: when they start, which one reclaims it next, and when it is overdue.

An assigned lead must be followed up by its first deadline, then resolved (converted, closed or kept) by the
second; until the first follow-up both apply. A private lead has no deadline but an idle limit: with no follow-up
for the team's `private_idle_days` it goes back to the pool.
"""

from datetime import datetime, timedelta

from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Coalesce, Least

from core.models import TeamPolicy
from leads.models import EventReason, Lead, LeadState


def deadlines_from(policy: TeamPolicy, moment: datetime) -> dict:
    """Return the fields that (re)start both timers of an assigned lead at `moment`."""
    return {
        "assigned_at": moment,
        "follow_up_deadline": moment + timedelta(hours=policy.follow_up_hours),
        "resolve_deadline": moment + timedelta(days=policy.resolve_days),
    }


# The fields `next_deadline` reads: a list that shows a deadline loads these.
DEADLINE_FIELDS = ("pk", "state", "follow_up_deadline", "last_follow_up_at", "resolve_deadline", "private_since")


def next_deadline(lead: Lead) -> datetime | None:
    """Return the deadline that reclaims an assigned lead next: first follow-up until it happens, then resolution."""
    if lead.state != LeadState.ASSIGNED:
        return None
    if lead.follow_up_deadline and lead.last_follow_up_at is None:
        return min(lead.follow_up_deadline, lead.resolve_deadline or lead.follow_up_deadline)
    return lead.resolve_deadline


def due_by(moment: datetime) -> Q:
    """Assigned leads whose next deadline falls at or before `moment` (overdue ones included)."""
    return Q(state=LeadState.ASSIGNED) & (
        Q(follow_up_deadline__lte=moment, last_follow_up_at__isnull=True) | Q(resolve_deadline__lte=moment)
    )


def overdue(policies: dict[int, TeamPolicy], now: datetime) -> Q:
    """Leads of the teams of `policies` whose timer ran out at `now`: a deadline passed, or idle too long."""
    condition = Q(state=LeadState.ASSIGNED) & (
        Q(follow_up_deadline__lt=now, last_follow_up_at__isnull=True) | Q(resolve_deadline__lt=now)
    )
    teams_by_idle_days: dict[int, list[int]] = {}
    for team_id, policy in policies.items():
        teams_by_idle_days.setdefault(policy.private_idle_days, []).append(team_id)
    for days, team_ids in teams_by_idle_days.items():
        idle_since = now - timedelta(days=days)
        condition |= Q(state=LeadState.PRIVATE, team_id__in=team_ids) & (
            Q(last_follow_up_at__lt=idle_since) | Q(last_follow_up_at__isnull=True, private_since__lt=idle_since)
        )
    return Q(team_id__in=list(policies)) & condition


def reclaim_reason(lead: dict, now: datetime) -> str:
    """Return which timer ran out for an overdue lead read as a dict of its fields."""
    if lead["state"] == LeadState.PRIVATE:
        return EventReason.PRIVATE_IDLE
    if lead["last_follow_up_at"] is None and lead["follow_up_deadline"] and lead["follow_up_deadline"] < now:
        return EventReason.FOLLOW_UP_MISSED
    return EventReason.RESOLVE_MISSED


def reclaimed_at(lead: Lead, policy: TeamPolicy) -> datetime | None:
    """Return when an owned lead goes back if nothing happens: its next deadline, or a private lead's idle limit."""
    if lead.state == LeadState.PRIVATE:
        idle_since = lead.last_follow_up_at or lead.private_since
        return idle_since + timedelta(days=policy.private_idle_days) if idle_since else None
    return next_deadline(lead)


def reclaimed_at_expression(policy: TeamPolicy):
    """`reclaimed_at` as a database expression, so a rep's list can be sorted and paged by urgency in SQL."""
    idle_limit = timedelta(days=policy.private_idle_days)
    return Case(
        When(
            state=LeadState.ASSIGNED,
            last_follow_up_at__isnull=True,
            follow_up_deadline__isnull=False,
            then=Least("follow_up_deadline", Coalesce("resolve_deadline", "follow_up_deadline")),
        ),
        When(state=LeadState.ASSIGNED, then=F("resolve_deadline")),
        When(
            state=LeadState.PRIVATE,
            then=ExpressionWrapper(
                Coalesce("last_follow_up_at", "private_since") + Value(idle_limit), output_field=DateTimeField()
            ),
        ),
        default=None,
        output_field=DateTimeField(),
    )
