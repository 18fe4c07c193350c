from django import template

from core.models import Role
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
