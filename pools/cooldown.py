"""The cooldown: a rep who lost a lead (reclaimed from them, or returned by them) cannot get it back for a while.

It binds claims and every hand-out (assignment, allocation, reclaim); this is its one definition.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from core.models import TeamPolicy, User
from leads.models import EventKind, Lead, LeadEvent

LOSING_KINDS = (EventKind.RETURNED, EventKind.RECLAIMED)


def losses_within(days: int, now: datetime) -> QuerySet[LeadEvent]:
    """Return the events by which a rep lost a lead in the last `days` days: each starts a cooldown."""
    return LeadEvent.objects.filter(kind__in=LOSING_KINDS, created_at__gt=now - timedelta(days=days))


def cooldown_until(rep: User, lead: Lead, policy: TeamPolicy, now: datetime) -> datetime | None:
    """Return when `rep` may have `lead` again, or None if they may now."""
    lost_at = (
        losses_within(policy.reclaim_cooldown_days, now)
        .filter(lead_id=lead.pk, from_owner=rep)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if lost_at is None else lost_at + timedelta(days=policy.reclaim_cooldown_days)


def leads_in_cooldown(rep: User, lead_ids, policy: TeamPolicy, now: datetime) -> set[int]:
    """Return which of `lead_ids` `rep` may not have back yet."""
    losses = losses_within(policy.reclaim_cooldown_days, now).filter(lead_id__in=lead_ids, from_owner=rep)
    return set(losses.values_list("lead_id", flat=True))


def cooling_pairs(*, leads, reps, policy: TeamPolicy, now: datetime) -> set[tuple[int, int]]:
    """Return the (lead id, rep id) pairs among `leads` and `reps` (querysets or lists) that are in cooldown."""
    losses = losses_within(policy.reclaim_cooldown_days, now).filter(lead__in=leads, from_owner__in=reps)
    return set(losses.values_list("lead_id", "from_owner_id"))


def last_losses(lead_ids, *, days: int, now: datetime) -> dict[tuple[int, int], datetime]:
    """Return {(lead id, rep id): when the rep last lost it} within the last `days` days, for many teams at once."""
    last: dict[tuple[int, int], datetime] = {}
    lead_ids = list(lead_ids)
    # One array parameter rather than one placeholder per lead: a batch of the reclaim job names 20,000.
    among = RawSQL("SELECT unnest(%s::bigint[])", [lead_ids]) if connection.vendor == "postgresql" else lead_ids
    for lead_id, rep_id, lost_at in (
        losses_within(days, now).filter(lead_id__in=among).values_list("lead_id", "from_owner_id", "created_at")
    ):
        last[(lead_id, rep_id)] = max(lost_at, last.get((lead_id, rep_id), lost_at))
    return last
