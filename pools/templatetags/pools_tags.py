from django import template

from core.models import Role
from core.stencils import stencil
from leads.lifecycle import OPEN_STATES
from leads.models import LeadState
from pools.forms import ReturnForm

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


def _pool_acts(context, lead) -> dict:
    """Which pool acts the page's user may take on `lead`: claim it, keep it, or give it back with a reason."""
    user = context["request"].user
    is_owner = user.role == Role.REP and lead.owner_id == user.pk
    return {
        "lead": lead,
        "csrf_token": context.get("csrf_token"),
        "may_claim": user.role == Role.REP and lead.state == LeadState.PUBLIC,
        "may_keep": is_owner and lead.state == LeadState.ASSIGNED,
        "may_return": is_owner and lead.state in OPEN_STATES,
    }


@register.inclusion_tag("pools/_buttons.html", takes_context=True)
def pool_buttons(context, lead):
    return _pool_acts(context, lead)


@register.inclusion_tag("pools/_return.html", takes_context=True)
def pool_return_form(context, lead):
    return {**_pool_acts(context, lead), "return_form": ReturnForm()}


_ALLOCATION_HOLES = (
    "rep",
    "rep_pk",
    "quota",
    "min",
    "max",
    "open_assigned",
    "allocated_today",
    "planned",
    "held_back",
    "shortfall",
)


@register.simple_tag
def allocation_row(rep, policy, plan_row=None, previewing=False):
    """`{% allocation_row rep policy plan_row previewing %}`: a rep's quota to edit, open assigned leads with a
    warning at or near the cap, leads allocated today and, in a preview, what the allocation would give them. A
    stencil (core.stencils): the morning's page lists a whole team, and each row took ~150 us node by node."""
    cap = policy.open_assigned_cap
    if rep.open_assigned >= cap:
        standing = "at_cap"
    elif rep.open_assigned + rep.quota_leads > cap:
        standing = "near_cap"
    else:
        standing = ""
    row = stencil("pools/_allocation_row.html", _ALLOCATION_HOLES, standing=standing, previewing=bool(previewing))
    return row.fill(
        rep=str(rep),
        rep_pk=str(rep.pk),
        quota=str(rep.quota_leads),
        min=str(policy.allocation_min),
        max=str(policy.allocation_max),
        open_assigned=str(rep.open_assigned),
        allocated_today=str(rep.allocated_today),
        planned=str(plan_row.planned if plan_row else 0),
        held_back=str(plan_row.held_back if plan_row else 0),
        shortfall=str(plan_row.shortfall if plan_row else 0),
    )
