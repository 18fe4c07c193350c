from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import chosen_team, managed_teams, manager_required
from core.errors import DomainError
from core.policy import policy_for
from core.selectors import active_reps
from pools.models import AllocationRun
from pools.selectors import allocation_overview, public_pool_size
from pools.services import allocate, plan_allocation, set_quota


def _team_from_query(request):
    teams = list(managed_teams(request.user))
    return chosen_team(request, teams), teams


@manager_required
def allocation(request):
    """The morning allocation: quotas per rep, a preview of who gets how many, then confirm."""
    team, teams = _team_from_query(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "quotas":
                _save_quotas(request, team)
                messages.success(request, _("Quotas saved."))
            else:
                plan = allocate(team=team, actor=request.user)
                messages.success(
                    request,
                    _("%(count)s leads allocated; %(short)s missing because the pool ran short.")
                    % {"count": sum(row.planned for row in plan.reps), "short": plan.shortfall},
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{reverse('pools:allocation')}?team={team.pk}")
    policy = policy_for(team)
    plan = plan_allocation(team) if request.GET.get("preview") else None
    planned = {row.rep.pk: row for row in plan.reps} if plan else {}
    context = {
        "team": team,
        "teams": teams,
        "policy": policy,
        "rows": allocation_overview(team),
        "pool_size": public_pool_size(team),
        "plan": plan,
        "planned": planned,
        "runs": AllocationRun.objects.filter(team=team).select_related("actor")[:5],
    }
    return render(request, "pools/allocation.html", context)


def _save_quotas(request, team):
    for rep in active_reps(team):
        value = request.POST.get(f"quota-{rep.pk}", "").strip()
        if value:
            if not value.isdigit():
                raise DomainError(_("A quota must be a whole number."))
            set_quota(actor=request.user, rep=rep, daily_leads=int(value))
