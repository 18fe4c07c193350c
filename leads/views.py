from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from crm.models import Role, Team
from crm.permissions import manager_required, rep_required, role_required
from crm.selectors import active_reps, team_of_rep
from leads import selectors, services
from leads.forms import (
    AssignForm,
    CloseForm,
    ImportForm,
    KeepForm,
    LeadForm,
    PoolFilterForm,
    ReturnForm,
    TeamFilterForm,
)
from leads.models import Lead, LeadImport, LeadState
from pools import services as pool_services
from pools.models import LeadEvent
from pools.policy import policy_for

PAGE_SIZE = 25


def _visible_lead(request, pk):
    """Fetch a lead the user may see; any other lead is simply not found."""
    return get_object_or_404(selectors.visible_leads(request.user).select_related("team", "owner"), pk=pk)


def _managed_teams(user):
    return list(Team.objects.filter(pk__in=pool_services.managed_team_ids(user)).order_by("name"))


def _chosen_team(request, teams):
    """Return the team picked by ?team= among `teams`, or the first."""
    wanted = request.GET.get("team") or request.POST.get("team")
    for team in teams:
        if str(team.pk) == wanted:
            return team
    if wanted and teams:
        raise Http404
    return teams[0] if teams else None


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    """Return the current filters as a query string, for the pagination links to keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _fail(request, error: DomainError):
    messages.error(request, error.message)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def pool(request):
    """The team's public pool: search, page through, claim."""
    teams = [team_of_rep(request.user)] if request.user.role == Role.REP else _managed_teams(request.user)
    team = _chosen_team(request, teams)
    if team is None:
        raise Http404
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
        context["claims_left"] = max(policy.daily_claim_limit - pool_services.claims_today(request.user, team), 0)
    return render(request, "leads/pool.html", context)


@rep_required
def mine(request):
    """A rep's own leads: assigned ones with time left, the private pool with its cap."""
    team = team_of_rep(request.user)
    policy = policy_for(team)
    assigned = list(selectors.leads_of_rep(request.user, LeadState.ASSIGNED))
    private = list(selectors.leads_of_rep(request.user, LeadState.PRIVATE))
    context = {
        "assigned": assigned,
        "private": private,
        "policy": policy,
        "private_is_full": len(private) >= policy.private_cap,
        "now": timezone.now(),
        "remind_seconds": policy.remind_before_hours * 3600,
    }
    return render(request, "leads/mine.html", context)


@login_required
def detail(request, pk):
    lead = _visible_lead(request, pk)
    events = LeadEvent.objects.filter(lead=lead).select_related("actor", "from_owner", "to_owner")
    is_owner = lead.owner_id == request.user.pk
    is_manager = lead.team_id in pool_services.managed_team_ids(request.user)
    context = {
        "lead": lead,
        "events": events,
        "is_owner": is_owner,
        "is_manager": is_manager,
        # The public pool hides contact details until someone claims the lead.
        "show_contact": is_owner or is_manager or request.user.role == Role.QC,
        "return_form": ReturnForm(),
        "close_form": CloseForm(),
    }
    return render(request, "leads/detail.html", context)


@login_required
def create(request):
    teams = _managed_teams(request.user) if request.user.role in (Role.MANAGER, Role.ADMIN) else []
    if request.user.role != Role.REP and not teams:
        raise Http404
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = _chosen_team(request, teams) if teams else None
            lead = services.create_lead(actor=request.user, team=team, values=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lead added: %(company)s.") % {"company": lead.company_name})
            return redirect(lead)
    return render(request, "leads/create.html", {"form": form, "teams": teams})


@require_POST
@rep_required
def claim(request, pk):
    # Any lead of the rep's team, so one a colleague claimed a moment ago answers "too late", not "not found".
    lead = get_object_or_404(Lead.objects.filter(team=team_of_rep(request.user)), pk=pk)
    try:
        pool_services.claim_lead(actor=request.user, lead=lead)
    except DomainError as error:
        _fail(request, error)
        return redirect(f"{reverse('leads:pool')}?team={lead.team_id}")
    messages.success(request, _("%(company)s is yours now. Follow it up in time.") % {"company": lead.company_name})
    return redirect(lead)


@rep_required
def keep(request, pk):
    """Keep a lead in the private pool; at the cap, the rep picks which private lead goes back."""
    lead = _visible_lead(request, pk)
    policy = policy_for(lead.team)
    private = selectors.leads_of_rep(request.user, LeadState.PRIVATE)
    form = KeepForm(request.POST if request.method == "POST" else None, private_leads=private)
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.keep_lead(actor=request.user, lead=lead, give_back=form.cleaned_data["give_back"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(company)s is in your private pool.") % {"company": lead.company_name})
            return redirect("leads:mine")
    context = {"lead": lead, "form": form, "policy": policy, "private_count": private.count()}
    return render(request, "leads/keep.html", context)


@require_POST
@rep_required
def return_to_pool(request, pk):
    lead = _visible_lead(request, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Say why you are returning this lead."))
        pool_services.return_lead(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
    except DomainError as error:
        _fail(request, error)
        return redirect(lead)
    messages.success(request, _("%(company)s is back in the public pool.") % {"company": lead.company_name})
    return redirect("leads:mine")


@require_POST
@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def convert(request, pk):
    lead = _visible_lead(request, pk)
    try:
        services.convert_lead(actor=request.user, lead=lead)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(company)s is now a customer.") % {"company": lead.company_name})
    return redirect(lead)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def close(request, pk):
    lead = _visible_lead(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_lead(
                actor=request.user, lead=lead, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(company)s is closed.") % {"company": lead.company_name})
            return redirect(lead)
    return render(request, "leads/close.html", {"lead": lead, "form": form})


@require_POST
@manager_required
def reopen(request, pk):
    lead = _visible_lead(request, pk)
    try:
        pool_services.reopen_lead(actor=request.user, lead=lead)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(company)s is back in the public pool.") % {"company": lead.company_name})
    return redirect(lead)


def _team_view_context(request):
    teams = _managed_teams(request.user)
    team = _chosen_team(request, teams)
    if team is None:
        raise Http404
    reps = active_reps(team).order_by("username")
    form = TeamFilterForm(request.GET or None, reps=reps)
    filters = form.cleaned_data if form.is_valid() else {}
    owner = filters.get("owner")
    leads = selectors.team_leads(
        [team.pk],
        state=filters.get("state", ""),
        owner_id=owner.pk if owner else None,
        due_within_hours=filters.get("due_within_hours"),
    )
    return {"team": team, "teams": teams, "reps": reps, "form": form, "leads": leads}


@manager_required
def team_leads(request):
    """A manager's view of the team's leads: filter, then assign or reassign in bulk."""
    context = _team_view_context(request)
    context["page"] = _page(request, context["leads"])
    context["query"] = _query_without_page(request) or f"team={context['team'].pk}"
    return render(request, "leads/team.html", context)


@require_POST
@manager_required
def assign(request):
    teams = _managed_teams(request.user)
    team = _chosen_team(request, teams)
    if team is None:
        raise Http404
    reps = active_reps(team)
    form = AssignForm(request.POST, reps=reps, leads=selectors.team_leads([team.pk]))
    if not form.is_valid():
        messages.error(request, _("Choose the leads and the rep to assign them to."))
        return redirect(_team_url(team))
    try:
        result = pool_services.assign_leads(
            actor=request.user,
            leads=form.cleaned_data["leads"],
            rep=form.cleaned_data["rep"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("%(count)s leads assigned to %(rep)s.")
            % {"count": len(result.assigned), "rep": form.cleaned_data["rep"]},
        )
        for lead, why in result.skipped:
            messages.warning(request, _("Skipped %(company)s: %(why)s") % {"company": lead.company_name, "why": why})
    return redirect(_team_url(team))


def _team_url(team) -> str:
    return f"{reverse('leads:team')}?team={team.pk}"


def _csv_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response


@manager_required
def export_team(request):
    context = _team_view_context(request)
    return _csv_response(services.export_csv(context["leads"]), "leads")


@rep_required
def export_mine(request):
    leads = selectors.visible_leads(request.user).filter(owner=request.user).order_by("state", "pk")
    return _csv_response(services.export_csv(leads), "my-leads")


@manager_required
def import_upload(request):
    teams = Team.objects.filter(pk__in=pool_services.managed_team_ids(request.user)).order_by("name")
    form = ImportForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lead_import, _plan = services.upload_import(
                actor=request.user, team=form.cleaned_data["team"], file_name=upload.name, raw=upload.read()
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("leads:import_preview", pk=lead_import.pk)
    return render(request, "leads/import_upload.html", {"form": form})


@manager_required
def import_preview(request, pk):
    lead_import = get_object_or_404(
        LeadImport.objects.select_related("team"), pk=pk, team__in=pool_services.managed_team_ids(request.user)
    )
    try:
        if request.method == "POST":
            plan = services.commit_import(actor=request.user, lead_import=lead_import)
            messages.success(
                request,
                _("%(added)s leads added to %(team)s; %(duplicates)s duplicates and %(bad)s bad rows left out.")
                % {
                    "added": len(plan.to_add),
                    "team": lead_import.team,
                    "duplicates": len(plan.duplicates),
                    "bad": len(plan.bad),
                },
            )
            return redirect(_team_url(lead_import.team))
        plan = services.preview_import(actor=request.user, lead_import=lead_import)
    except DomainError as error:
        _fail(request, error)
        return redirect("leads:import")
    context = {"lead_import": lead_import, "plan": plan, "sample": plan.to_add[:50]}
    return render(request, "leads/import_preview.html", context)


@manager_required
def collisions(request):
    teams = _managed_teams(request.user)
    page = _page(request, selectors.collisions_for([team.pk for team in teams]))
    return render(request, "leads/collisions.html", {"page": page})
