"""Reads of leads scoped to what a user may see."""

from datetime import timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Membership, Role, User
from leads.models import Collision, Contract, Lead, LeadState, Payment, Proposal, Stage


def visible_leads(user: User) -> QuerySet[Lead]:
    """Return the leads `user` may open: a rep their own and their team's public pool; managers and QC their teams'."""
    leads = Lead.objects.all()
    if not user.is_authenticated or not user.is_active:
        return leads.none()
    role = user.role
    if role == Role.ADMIN:
        return leads
    if role == Role.REP:
        team_ids = Membership.objects.filter(user=user, role=Role.REP).values("team")
        return leads.filter(Q(owner=user) | Q(state=LeadState.PUBLIC, team__in=team_ids))
    if role in (Role.MANAGER, Role.QC):
        return leads.filter(team__in=Membership.objects.filter(user=user).values("team"))
    return leads.none()


def public_pool(team, *, search: str = "", area: str = "", industry: str = "") -> QuerySet[Lead]:
    """Return a team's public pool, best leads first, filtered as the pool page asks."""
    leads = Lead.objects.filter(team=team, state=LeadState.PUBLIC)
    if search:
        leads = leads.filter(company_name__icontains=search)
    if area:
        leads = leads.filter(Q(district__icontains=area) | Q(city__icontains=area) | Q(building__icontains=area))
    if industry:
        leads = leads.filter(industry__icontains=industry)
    return leads.order_by("-priority", "created_at", "pk")


def leads_of_rep(rep: User, state: str) -> QuerySet[Lead]:
    order = ["follow_up_deadline", "resolve_deadline", "pk"] if state == LeadState.ASSIGNED else ["private_since", "pk"]
    return Lead.objects.filter(owner=rep, state=state).order_by(*order)


def team_leads(team_ids, *, state: str = "", owner_id: int | None = None, due_within_hours: int | None = None):
    """Return the leads of the given teams, filtered as the manager's team view asks."""
    leads = Lead.objects.filter(team__in=team_ids).select_related("owner", "team")
    if state:
        leads = leads.filter(state=state)
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
    if due_within_hours:
        horizon = timezone.now() + timedelta(hours=due_within_hours)
        leads = leads.filter(state=LeadState.ASSIGNED).filter(
            Q(follow_up_deadline__lte=horizon, last_follow_up_at__isnull=True) | Q(resolve_deadline__lte=horizon)
        )
    return leads.order_by("-updated_at", "-pk")


def collisions_for(team_ids) -> QuerySet[Collision]:
    """Return the collisions on leads of the given teams, newest first."""
    return Collision.objects.filter(lead__team__in=team_ids).select_related("lead", "owner", "attempted_by")


def _deal_scope(user: User) -> QuerySet[Lead]:
    """Whose deals a user follows: a rep their own, a manager their teams', an admin all."""
    if user.role == Role.REP:
        return Lead.objects.filter(owner=user)
    if user.role == Role.MANAGER:
        return Lead.objects.filter(team__in=Membership.objects.filter(user=user, role=Role.MANAGER).values("team"))
    if user.role == Role.ADMIN:
        return Lead.objects.all()
    return Lead.objects.none()


def _contract_total():
    return (
        Contract.objects.filter(lead=OuterRef("pk"))
        .order_by()
        .values("lead")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def open_deals(user: User) -> list[Lead]:
    """Deals still walking the path, each with its amount: the contract if signed, else the latest proposal."""
    latest_proposal = Proposal.objects.filter(lead=OuterRef("pk")).order_by("-created_at").values("amount")[:1]
    return list(
        _deal_scope(user)
        .filter(state__in=(LeadState.ASSIGNED, LeadState.PRIVATE, LeadState.CUSTOMER))
        .exclude(stage__in=(Stage.PAYMENT_COLLECTED, Stage.CLOSED))
        .annotate(deal_amount=Coalesce(Subquery(_contract_total()), Subquery(latest_proposal)))
        .select_related("owner")
        .order_by("-updated_at")[:500]
    )


def customers_of(user: User) -> QuerySet[Lead]:
    """Customers with the total of their contracts and of the payments received."""
    paid_total = (
        Payment.objects.filter(contract__lead=OuterRef("pk"))
        .order_by()
        .values("contract__lead")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        _deal_scope(user)
        .filter(state=LeadState.CUSTOMER)
        .annotate(contract_total=Subquery(_contract_total()), paid_total=Subquery(paid_total))
        .select_related("owner")
        .order_by("company_name")
    )
