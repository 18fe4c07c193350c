"""Reads for the pool pages."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.calendar import start_of_day
from core.models import Team
from core.policy import policy_for
from core.selectors import active_reps
from leads.models import Lead, LeadState
from pools.models import EventKind, LeadEvent, RepQuota


def allocation_overview(team: Team):
    """Return the team's active reps, each with their quota, open assigned leads and leads allocated today."""
    policy = policy_for(team)
    allocated_today = (
        LeadEvent.objects.filter(kind=EventKind.ALLOCATED, to_owner=OuterRef("pk"), created_at__gte=start_of_day(team))
        .order_by()
        .values("to_owner")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        active_reps(team)
        .annotate(
            quota_leads=Coalesce(
                Subquery(RepQuota.objects.filter(rep=OuterRef("pk")).values("daily_leads")),
                Value(policy.allocation_min),
                output_field=IntegerField(),
            ),
            open_assigned=Count("owned_leads", filter=Q(owned_leads__state=LeadState.ASSIGNED), distinct=True),
            allocated_today=Coalesce(Subquery(allocated_today), Value(0), output_field=IntegerField()),
        )
        .order_by("username")
    )


def public_pool_size(team: Team) -> int:
    return Lead.objects.filter(team=team, state=LeadState.PUBLIC).count()
