from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.models import Team
from crm.permissions import manager_required
from pools.forms import PoolPolicyForm
from pools.policy import policy_for
from pools.services import managed_team_ids


@manager_required
def policy(request, team_pk=None):
    """Each managed team's rules; the manager edits one at a time."""
    teams = list(Team.objects.filter(pk__in=managed_team_ids(request.user)).order_by("name"))
    if not teams:
        raise Http404
    team = next((team for team in teams if team.pk == team_pk), None) if team_pk else teams[0]
    if team is None:
        raise Http404
    form = PoolPolicyForm(request.POST or None, instance=policy_for(team))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The rules of %(team)s are saved.") % {"team": team})
        return redirect("pools:policy_of", team_pk=team.pk)
    return render(request, "pools/policy.html", {"form": form, "team": team, "teams": teams})
