"""Reads of the pipeline: open deals with their amounts, customers with what they owe and paid, proposal files."""

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.access import scope_to_user
from core.models import User
from deals.models import Contract, Payment, Proposal
from leads.models import Lead, LeadState, Stage


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


def get_proposal_for(user: User, pk) -> Proposal:
    """Return a proposal of a lead whose contact details `user` sees (its owner, its team's manager and QC); the
    public pool hides a proposal as it hides the phone, so a lead back in the pool keeps its file from other reps."""
    return get_object_or_404(Proposal.objects.filter(lead__in=scope_to_user(Lead.objects.all(), user)), pk=pk)
