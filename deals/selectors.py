"""Reads of the pipeline: open deals with their amounts, customers with what they owe and paid, proposal files."""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404

from core.access import scope_to_user
from core.models import User
from deals.models import Contract, Payment, Proposal
from leads.lifecycle import WORKING_STATES
from leads.models import STAGE_PATH, Lead, LeadState, Stage


def _deal_scope(user: User) -> QuerySet[Lead]:
    """Whose deals a user follows: a rep their own, a manager their teams', an admin all."""
    return scope_to_user(Lead.objects.all(), user)


def _contract_total():
    return (
        Contract.objects.filter(lead=OuterRef("pk"))
        .order_by()
        .values("lead")
        .annotate(total=Sum("amount"))
        .values("total")
    )


SHOWN_PER_STAGE = 5


def open_deals(user: User) -> QuerySet[Lead]:
    """Deals still walking the path, each with its amount: the contract if signed, else the latest proposal."""
    latest_proposal = Proposal.objects.filter(lead=OuterRef("pk")).order_by("-created_at").values("amount")[:1]
    return _open(_deal_scope(user)).annotate(
        deal_amount=Coalesce(Subquery(_contract_total()), Subquery(latest_proposal))
    )


def _open(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """The deals among `leads` still walking the path."""
    return leads.filter(state__in=WORKING_STATES).exclude(stage__in=(Stage.PAYMENT_COLLECTED, Stage.CLOSED))


def pipeline_of(user: User, *, with_latest: bool = True) -> list[dict]:
    """Per stage of the path: how many open deals and their total amount (all of them), and the latest few (unless
    `with_latest` is false: a stage's own page lists its deals instead, and skips reading them for every stage)."""
    scope = _open(_deal_scope(user))
    # Totals from three small reads rather than an amount worked out lead by lead: the number of deals per stage,
    # the signed contracts, and the latest proposal of each deal not signed yet.
    counts = dict(scope.order_by().values_list("stage").annotate(count=Count("pk")).values_list("stage", "count"))
    amounts: dict[str, Decimal] = {}
    for stage, total in (
        scope_to_user(Contract.objects.all(), user, owner_field="lead__owner")
        .filter(lead__state__in=WORKING_STATES)
        .exclude(lead__stage__in=(Stage.PAYMENT_COLLECTED, Stage.CLOSED))
        .order_by()
        .values_list("lead__stage")
        .annotate(total=Sum("amount"))
    ):
        amounts[stage] = amounts.get(stage, Decimal("0")) + total
    latest_proposal = Proposal.objects.filter(lead=OuterRef("pk")).order_by("-created_at").values("amount")[:1]
    for stage, total in (
        scope.filter(~Exists(Contract.objects.standing().filter(lead=OuterRef("pk"))), proposals__isnull=False)
        .distinct()
        .annotate(proposed=Subquery(latest_proposal))
        .order_by()
        .values_list("stage")
        .annotate(total=Sum("proposed"))
    ):
        amounts[stage] = amounts.get(stage, Decimal("0")) + (total or Decimal("0"))
    totals = {stage: {"deals": count, "amount": amounts.get(stage)} for stage, count in counts.items()}
    shown: dict[str, list[Lead]] = {}
    if with_latest:
        # The latest few of every stage: numbered within their stage (no amount needed for that), then their amounts.
        latest = (
            _open(_deal_scope(user))
            .annotate(place=Window(RowNumber(), partition_by=[F("stage")], order_by=F("updated_at").desc()))
            .filter(place__lte=SHOWN_PER_STAGE)
            .values_list("pk", flat=True)
        )
        latest_deals = open_deals(user).filter(pk__in=list(latest)).select_related("owner")
        for lead in latest_deals.order_by("stage", "-updated_at"):
            shown.setdefault(lead.stage, []).append(lead)
    return [
        {
            "code": stage,
            "stage": Stage(stage).label,
            "count": totals.get(stage, {}).get("deals", 0),
            "amount": totals.get(stage, {}).get("amount") or Decimal("0"),
            "leads": shown.get(stage, []),
        }
        for stage in STAGE_PATH[:-1]
    ]


def deals_at_stage(user: User, stage: str) -> QuerySet[Lead]:
    """The user's open deals at one stage, most recently moved first (the pipeline page's list of a stage)."""
    return open_deals(user).filter(stage=stage).select_related("owner").order_by("-updated_at", "-pk")


def customers_of(user: User, *, without_contract: bool = False) -> QuerySet[Lead]:
    """Customers with the total of their contracts and of the payments received (only those with no contract, made
    customers by a manager's decision or before that rule, when `without_contract`)."""
    paid_total = (
        Payment.objects.filter(contract__lead=OuterRef("pk"))
        .order_by()
        .values("contract__lead")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    customers = _deal_scope(user).filter(state=LeadState.CUSTOMER)
    if without_contract:
        customers = customers.filter(~Exists(Contract.objects.standing().filter(lead=OuterRef("pk"))))
    return (
        customers.annotate(contract_total=Subquery(_contract_total()), paid_total=Subquery(paid_total))
        .select_related("owner")
        .order_by("company_name")
    )


def get_proposal_for(user: User, pk) -> Proposal:
    """Return a proposal of a lead whose contact details `user` sees (its owner, its team's manager and QC); the
    public pool hides a proposal as it hides the phone, so a lead back in the pool keeps its file from other reps."""
    return get_object_or_404(Proposal.objects.filter(lead__in=scope_to_user(Lead.objects.all(), user)), pk=pk)
