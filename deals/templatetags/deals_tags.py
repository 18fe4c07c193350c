"""The deal panel of the lead page: the lead's page belongs to the leads app, its deal to this one."""

from decimal import Decimal

from django import template
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from core.access import is_owner_or_manager
from core.calendar import local_day
from core.models import User
from deals.forms import ContractForm, NeedForm, PaymentForm, ProposalForm, ReversalForm, StageBackForm
from deals.models import Payment
from deals.services import stage_reached
from leads.lifecycle import WORKING_STATES
from leads.models import STAGE_PATH, Lead, Stage

register = template.Library()

NEXT_STEPS = {
    Stage.NEW: gettext_lazy("Visit or call the customer."),
    Stage.CONTACTED: gettext_lazy("Meet the owner or a senior decision-maker and log an effective visit."),
    Stage.EFFECTIVE_VISIT: gettext_lazy("Write down the need the customer confirmed."),
    Stage.NEEDS_CONFIRMED: gettext_lazy("Send a proposal with its amount."),
    Stage.PROPOSAL: gettext_lazy("Sign the contract: number, amount, date and term."),
    Stage.CONTRACT_SIGNED: gettext_lazy("Collect the payments until they cover the contract."),
    Stage.PAYMENT_COLLECTED: gettext_lazy("Done. Look after the customer and ask for referrals."),
    Stage.CLOSED: gettext_lazy("The lead is closed."),
}


@register.inclusion_tag("deals/_panel.html", takes_context=True)
def deal_panel(context, lead):
    """Show the deal of `lead` to the user of the page, with the step forms if they may work it."""
    return {**deal_context(lead, context["request"].user), "csrf_token": context.get("csrf_token")}


def deal_context(lead: Lead, user: User) -> dict:
    """What the lead page shows of the deal: the path, the next step, the evidence so far, and the forms."""
    contracts = list(
        lead.contracts.filter(reverses__isnull=True)
        .select_related("reversal")
        .annotate(paid=Coalesce(Sum("payments__amount"), Decimal("0")))
    )
    can_work = lead.state in WORKING_STATES and is_owner_or_manager(user, owner_id=lead.owner_id, team_id=lead.team_id)
    path = [(stage, Stage(stage).label, stage_reached(lead, stage)) for stage in STAGE_PATH]
    context = {
        "lead": lead,
        "path": path,
        "next_step": NEXT_STEPS[lead.stage],
        "proposals": lead.proposals.all(),
        "contracts": contracts,
        "payments": Payment.objects.filter(contract__lead=lead, reverses__isnull=True).select_related(
            "contract", "reversal"
        ),
        "can_work": can_work,
    }
    if can_work:
        today = local_day(lead.team)
        context |= {
            "need_form": NeedForm(initial={"need": lead.confirmed_need}),
            "proposal_form": ProposalForm(),
            "contract_form": ContractForm(initial={"signed_on": today}),
            "payment_form": PaymentForm(contracts=lead.contracts.standing(), initial={"received_on": today}),
            "reversal_form": ReversalForm(),
            "back_form": StageBackForm(),
        }
    return context
