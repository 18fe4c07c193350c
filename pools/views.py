"""The pool pages: the public pool and claiming, a rep's own leads, keep and return, the manager's team view with
assignment, and the morning allocation."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.access import chosen_team, managed_teams, manager_required, rep_required, rep_team, role_required
from core.calendar import day_bounds
from core.errors import DomainError
from core.exports import table_response
from core.models import Role
from core.paging import page_of
from core.params import whole_number
from core.policy import policy_for
from core.selectors import active_reps
from leads.models import Lead, LeadState
from leads.selectors import get_lead_for
from leads.services.transfer import export_table
from pools import selectors
from pools.forms import AssignForm, KeepForm, MyLeadsFilterForm, PoolFilterForm, ReturnForm, TeamFilterForm
from pools.models import AllocationRun
from pools.services.allocation import allocate, plan_allocation, set_quotas
from pools.services.ownership import assign_leads, claim_lead, keep_lead, return_lead

PAGE_SIZE = 25


def _page(request, queryset):
    return page_of(request, queryset, PAGE_SIZE)


def _query_without_page(request) -> str:
    """Return the current filters as a query string, for the pagination links to keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def pool(request):
    """The team's public pool: search, page through, claim."""
    teams = [rep_team(request.user)] if request.user.role == Role.REP else list(managed_teams(request.user))
    team = chosen_team(request, teams)
    form = PoolFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    leads = selectors.public_pool(
        team, search=filters.get("q", ""), area=filters.get("area", ""), industry=filters.get("industry", "")
    )
    context = {
        "team": team,
        "teams": teams,
        "form": form,
        "page": _page(request, leads),
        "query": _query_without_page(request) or f"team={team.pk}",
    }
    if request.user.role == Role.REP:
        policy = policy_for(team)
        context["claims_left"] = max(policy.daily_claim_limit - selectors.claims_today(request.user, team), 0)
    return render(request, "pools/pool.html", context)


@rep_required
def mine(request):
    """A rep's own leads, the one taken back soonest first, searchable, a page at a time."""
    policy = policy_for(rep_team(request.user))
    form = MyLeadsFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    leads = selectors.rep_leads_by_urgency(
        request.user, policy, state=filters.get("state", ""), search=filters.get("q", "").strip()
    )
    counts = selectors.rep_lead_counts(request.user)
    context = {
        "form": form,
        "page": _page(request, leads),
        "query": _query_without_page(request),
        "policy": policy,
        "assigned_count": counts[LeadState.ASSIGNED],
        "private_count": counts[LeadState.PRIVATE],
        "private_is_full": counts[LeadState.PRIVATE] >= policy.private_cap,
        "is_filtered": bool(filters.get("state") or filters.get("q")),
    }
    return render(request, "pools/mine.html", context)


@require_POST
@rep_required
def claim(request, pk):
    # Any lead of the rep's team, so one a colleague claimed a moment ago answers "too late", not "not found".
    lead = get_object_or_404(Lead.objects.filter(team=rep_team(request.user)), pk=pk)
    try:
        claim_lead(actor=request.user, lead=lead)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('pools:pool')}?team={lead.team_id}")
    messages.success(request, _("%(company)s is yours now. Follow it up in time.") % {"company": lead.company_name})
    return redirect(lead)


@rep_required
def keep(request, pk):
    """Keep a lead in the private pool; at the cap, the rep picks which private lead goes back."""
    lead = get_lead_for(request.user, pk)
    policy = policy_for(lead.team)
    private = selectors.leads_of_rep(request.user, LeadState.PRIVATE)
    form = KeepForm(request.POST if request.method == "POST" else None, private_leads=private)
    if request.method == "POST" and form.is_valid():
        try:
            keep_lead(actor=request.user, lead=lead, give_back=form.cleaned_data["give_back"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(company)s is in your private pool.") % {"company": lead.company_name})
            return redirect("pools:mine")
    context = {"lead": lead, "form": form, "policy": policy, "private_count": private.count()}
    return render(request, "pools/keep.html", context)


@require_POST
@rep_required
def return_to_pool(request, pk):
    lead = get_lead_for(request.user, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Say why you are returning this lead."))
        return_lead(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(lead)
    messages.success(request, _("%(company)s is back in the public pool.") % {"company": lead.company_name})
    return redirect("pools:mine")


def _team_view_context(request):
    teams = list(managed_teams(request.user))
    team = chosen_team(request, teams)
    reps = active_reps(team).order_by("username")
    form = TeamFilterForm(request.GET or None, reps=reps)
    filters = form.cleaned_data if form.is_valid() else {}
    owner = filters.get("owner")
    leads = selectors.team_leads(
        [team.pk],
        state=filters.get("state", ""),
        owner_id=owner.pk if owner else None,
        due_within_hours=filters.get("due_within_hours"),
        search=(filters.get("q") or "").strip(),
        reclaimed_between=day_bounds(team, filters["reclaimed_on"]) if filters.get("reclaimed_on") else None,
    )
    return {"team": team, "teams": teams, "reps": reps, "form": form, "leads": leads, "policy": policy_for(team)}


@manager_required
def team_leads(request):
    """A manager's view of the team's leads: filter, then assign or reassign in bulk."""
    context = _team_view_context(request)
    context["page"] = _page(request, context["leads"])
    context["query"] = _query_without_page(request) or f"team={context['team'].pk}"
    context["assign_form"] = AssignForm(reps=context["reps"], leads=Lead.objects.none())
    return render(request, "pools/team.html", context)


def _team_url(team, filters: str = "") -> str:
    """The team view, with the filters the manager was looking through (kept across an action)."""
    query = QueryDict(filters, mutable=True)
    query.pop("page", None)
    query["team"] = str(team.pk)
    return f"{reverse('pools:team')}?{query.urlencode()}"


@require_POST
@manager_required
def assign(request):
    team = chosen_team(request, list(managed_teams(request.user)))
    back = _team_url(team, request.POST.get("filters", ""))
    form = AssignForm(request.POST, reps=active_reps(team), leads=selectors.team_leads([team.pk]))
    if not form.is_valid():
        messages.error(request, _("Choose the leads and the rep to assign them to."))
        return redirect(back)
    try:
        result = assign_leads(
            actor=request.user,
            leads=form.cleaned_data["leads"],
            rep=form.cleaned_data["rep"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        count = len(result.assigned)
        messages.success(
            request,
            ngettext("%(count)s lead assigned to %(rep)s.", "%(count)s leads assigned to %(rep)s.", count)
            % {"count": count, "rep": form.cleaned_data["rep"]},
        )
        for lead, why in result.skipped:
            messages.warning(request, _("Skipped %(company)s: %(why)s") % {"company": lead.company_name, "why": why})
    return redirect(back)


@manager_required
def export_team(request):
    context = _team_view_context(request)
    return table_response(export_table(context["leads"]), "leads", request.GET.get("format", ""))


@manager_required
def allocation(request):
    """The morning allocation: quotas per rep, a preview of who gets how many, then confirm."""
    teams = list(managed_teams(request.user))
    team = chosen_team(request, teams)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "quotas":
                set_quotas(actor=request.user, team=team, quotas=_posted_quotas(request, team))
                messages.success(request, _("Quotas saved."))
            else:
                plan = allocate(team=team, actor=request.user)
                count = sum(row.planned for row in plan.reps)
                message = ngettext("%(count)s lead allocated.", "%(count)s leads allocated.", count) % {"count": count}
                if plan.shortfall:
                    message += " " + ngettext(
                        "%(short)s more was due, but the pool ran short.",
                        "%(short)s more were due, but the pool ran short.",
                        plan.shortfall,
                    ) % {"short": plan.shortfall}
                messages.success(request, message)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{reverse('pools:allocation')}?team={team.pk}")
    plan = plan_allocation(team) if request.GET.get("preview") else None
    context = {
        "team": team,
        "teams": teams,
        "policy": policy_for(team),
        "rows": selectors.allocation_overview(team),
        "pool_size": selectors.public_pool_size(team),
        "plan": plan,
        "planned": {row.rep.pk: row for row in plan.reps} if plan else {},
        "runs": AllocationRun.objects.filter(team=team).select_related("actor")[:5],
    }
    return render(request, "pools/allocation.html", context)


def _posted_quotas(request, team) -> dict[int, int]:
    """Read the quota fields of the team's reps that the manager filled in."""
    quotas = {}
    for rep in active_reps(team):
        value = request.POST.get(f"quota-{rep.pk}", "").strip()
        if value:
            quota = whole_number(value, maximum=10_000)
            if quota is None:
                raise DomainError(_("A quota must be a whole number."))
            quotas[rep.pk] = quota
    return quotas
