"""Reads for the pool pages: the public pool, a rep's own leads, the manager's team view and the allocation."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core.calendar import start_of_day
from core.models import Team, User
from core.paging import Tally, tally
from core.policy import policy_for
from core.selectors import active_reps
from core.statements import Counting, Slot
from leads.deadlines import due_by, reclaimed_at_expression
from leads.models import EventKind, Lead, LeadEvent, LeadState
from leads.normalize import bigrams, phone_key
from pools.models import RepQuota


def name_has_bigrams_of(search: str) -> RawSQL:
    """The condition that a lead's company name holds every bigram of `search`, served by the name's GIN index on
    PostgreSQL (see the leads migration that creates lead_name_bigrams); a substring match is confirmed after it."""
    fragments = " & ".join(f"'{fragment}'" for fragment in bigrams(search))
    return RawSQL(
        "to_tsvector('simple', lead_name_bigrams(leads_lead.company_name)) @@ to_tsquery('simple', %s)",
        [fragments],
        output_field=BooleanField(),
    )


def with_company_name_like(leads: QuerySet[Lead], search: str) -> QuerySet[Lead]:
    """Narrow `leads` to company names holding `search`: on PostgreSQL found through the names' bigram index first,
    so a two-character fragment (星河) in a 200,000-lead pool is an index look-up, not a scan."""
    leads = leads.filter(company_name__icontains=search)
    if bigrams(search) and connection.vendor == "postgresql":
        leads = leads.filter(name_has_bigrams_of(search))
    return leads


def public_pool(team: Team, *, search: str = "", area: str = "", industry: str = "") -> QuerySet[Lead]:
    """Return a team's public pool, best leads first, filtered as the pool page asks."""
    leads = Lead.objects.filter(team=team, state=LeadState.PUBLIC)
    if search:
        leads = with_company_name_like(leads, search)
    if area:
        leads = leads.filter(Q(district__icontains=area) | Q(city__icontains=area) | Q(building__icontains=area))
    if industry:
        leads = leads.filter(industry__icontains=industry)
    return leads.order_by("-priority", "created_at", "pk")


def public_pool_size(team: Team) -> Tally:
    """How many leads the team's pool holds: exact while small, "about 200,000" when counting would cost the page."""
    return tally(Lead.objects.filter(team=team, state=LeadState.PUBLIC))


def leads_of_rep(rep: User, state: str) -> QuerySet[Lead]:
    order = ["follow_up_deadline", "resolve_deadline", "pk"] if state == LeadState.ASSIGNED else ["private_since", "pk"]
    return Lead.objects.filter(owner=rep, state=state).order_by(*order)


def rep_leads_by_urgency(rep: User, policy, *, state: str = "", search: str = "") -> QuerySet[Lead]:
    """A rep's own leads, the one taken back soonest first (see `deadlines.reclaimed_at`), filtered as My leads asks.

    The search matches the company name, or the digits of either phone when the search holds a few digits."""
    leads = Lead.objects.filter(owner=rep, state__in=[state] if state else [LeadState.ASSIGNED, LeadState.PRIVATE])
    if search:
        matches = Q(company_name__icontains=search)
        digits = phone_key(search)
        if len(digits) >= 3:
            matches |= Q(phone_key__contains=digits) | Q(second_phone_key__contains=digits)
        leads = leads.filter(matches)
    return leads.annotate(reclaimed_at=reclaimed_at_expression(policy)).order_by(
        F("reclaimed_at").asc(nulls_last=True), "pk"
    )


def rep_lead_counts(rep: User) -> dict[str, int]:
    """How many leads the rep holds in each owned state, in one query."""
    rows = Lead.objects.filter(owner=rep, state__in=[LeadState.ASSIGNED, LeadState.PRIVATE]).values("state")
    counts = {row["state"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by()}
    return {LeadState.ASSIGNED: counts.get(LeadState.ASSIGNED, 0), LeadState.PRIVATE: counts.get(LeadState.PRIVATE, 0)}


# Read by Today on every visit of the evening and by every keep: compiled once (core.statements).
_PRIVATE_COUNT = Counting(
    lambda: Lead.objects.filter(owner_id=Slot("rep", BigIntegerField()), state=LeadState.PRIVATE), by="owner_id"
)


def private_count(rep: User) -> int:
    return _PRIVATE_COUNT.count(rep=rep.pk)


def claims_today(rep: User, team: Team, now: datetime | None = None) -> int:
    """Return how many leads `rep` claimed since midnight in the team's time zone."""
    return LeadEvent.objects.filter(actor=rep, kind=EventKind.CLAIMED, created_at__gte=start_of_day(team, now)).count()


# A phone is searched by its whole number (an index look-up); fewer digits are taken as part of a company name.
PHONE_SEARCH_DIGITS = 7


def team_leads(
    team_ids,
    *,
    state: str = "",
    owner_id: int | None = None,
    due_within_hours: int | None = None,
    search: str = "",
    reclaimed_between: tuple[datetime, datetime] | None = None,
):
    """Return the leads of the given teams, filtered as the manager's team view asks."""
    leads = Lead.objects.filter(team__in=team_ids).select_related("owner", "team")
    if reclaimed_between:
        start, end = reclaimed_between
        reclaims = LeadEvent.objects.filter(
            lead=OuterRef("pk"), kind=EventKind.RECLAIMED, created_at__gte=start, created_at__lt=end
        )
        leads = leads.filter(Exists(reclaims))
    if search:
        digits = phone_key(search)
        if len(digits) >= PHONE_SEARCH_DIGITS:
            leads = leads.filter(Q(phone_key=digits) | Q(second_phone_key=digits))
        else:
            leads = with_company_name_like(leads, search)
    if state:
        leads = leads.filter(state=state)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if due_within_hours:
        leads = leads.filter(due_by(timezone.now() + timedelta(hours=due_within_hours)))
    return leads.order_by("-updated_at", "-pk")


def allocated_since(moment: datetime) -> QuerySet[LeadEvent]:
    """Return the allocations made since `moment`: what a rep got since the morning counts toward their quota."""
    return LeadEvent.objects.filter(kind=EventKind.ALLOCATED, created_at__gte=moment)


def allocation_overview(team: Team) -> list[User]:
    """Return the team's active reps by name, each with their quota, open assigned leads and leads allocated today.

    Three grouped queries, whatever the number of leads the reps hold (a correlated count per rep read every one of
    their leads, and timed out at 100,000).
    """
    policy = policy_for(team)
    reps = list(active_reps(team).order_by("username"))
    rep_ids = [rep.pk for rep in reps]
    quotas = dict(RepQuota.objects.filter(rep_id__in=rep_ids).values_list("rep_id", "daily_leads"))
    open_assigned = dict(
        Lead.objects.filter(owner_id__in=rep_ids, state=LeadState.ASSIGNED)
        .order_by()
        .values_list("owner_id")
        .annotate(count=Count("pk"))
        .values_list("owner_id", "count")
    )
    allocated_today = dict(
        allocated_since(start_of_day(team))
        .filter(to_owner_id__in=rep_ids)
        .order_by()
        .values_list("to_owner_id")
        .annotate(count=Count("pk"))
        .values_list("to_owner_id", "count")
    )
    for rep in reps:
        rep.quota_leads = quotas.get(rep.pk, policy.allocation_min)
        rep.open_assigned = open_assigned.get(rep.pk, 0)
        rep.allocated_today = allocated_today.get(rep.pk, 0)
    return reps
