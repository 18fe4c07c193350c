from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import (
    chosen_team,
    managed_team_ids,
    managed_teams,
    manager_required,
    rep_required,
    rep_team,
    role_required,
)
from core.errors import DomainError
from core.models import Role
from core.policy import policy_for
from core.selectors import active_reps
from leads import selectors, services
from leads.forms import (
    AssignForm,
    CloseForm,
    ContractForm,
    ImportForm,
    KeepForm,
    LeadForm,
    NeedForm,
    PaymentForm,
    PoolFilterForm,
    ProposalForm,
    ReturnForm,
    StageBackForm,
    TeamFilterForm,
)
from leads.models import STAGE_PATH, Lead, LeadImport, LeadState, Payment, Proposal, Stage
from pools import services as pool_services
from pools.models import LeadEvent

PAGE_SIZE = 25


def _visible_lead(request, pk):
    """Fetch a lead the user may see; any other lead is simply not found."""
    return get_object_or_404(selectors.visible_leads(request.user).select_related("team", "owner"), pk=pk)


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
        context["claims_left"] = max(policy.daily_claim_limit - pool_services.claims_today(request.user, team), 0)
    return render(request, "leads/pool.html", context)


@rep_required
def mine(request):
    """A rep's own leads: assigned ones with time left, the private pool with its cap."""
    team = rep_team(request.user)
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
    is_manager = lead.team_id in managed_team_ids(request.user)
    context = {
        "lead": lead,
        "events": events,
        "is_owner": is_owner,
        "is_manager": is_manager,
        # The public pool hides contact details until someone claims the lead.
        "show_contact": is_owner or is_manager or request.user.role == Role.QC,
        "return_form": ReturnForm(),
        "close_form": CloseForm(),
        **deal_context(lead, request.user, is_owner, is_manager),
    }
    return render(request, "leads/detail.html", context)


@login_required
def create(request):
    teams = list(managed_teams(request.user)) if request.user.role in (Role.MANAGER, Role.ADMIN) else []
    if request.user.role != Role.REP and not teams:
        raise Http404
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = chosen_team(request, teams) if teams else None
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
    lead = get_object_or_404(Lead.objects.filter(team=rep_team(request.user)), pk=pk)
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
    teams = list(managed_teams(request.user))
    team = chosen_team(request, teams)
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
    teams = managed_teams(request.user)
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
        LeadImport.objects.select_related("team"), pk=pk, team__in=managed_team_ids(request.user)
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
    teams = list(managed_teams(request.user))
    page = _page(request, selectors.collisions_for([team.pk for team in teams]))
    return render(request, "leads/collisions.html", {"page": page})


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


def deal_context(lead, user, is_owner, is_manager):
    """What the lead page shows of the deal: the path, the next step, the evidence so far, and the forms."""
    contracts = list(lead.contracts.annotate(paid=Coalesce(Sum("payments__amount"), Decimal("0"))))
    can_work = (is_owner or is_manager) and lead.state in services.WORKING_STATES
    path = [(stage, Stage(stage).label, services.stage_reached(lead, stage)) for stage in STAGE_PATH]
    context = {
        "path": path,
        "next_step": NEXT_STEPS[lead.stage],
        "proposals": lead.proposals.all(),
        "contracts": contracts,
        "payments": Payment.objects.filter(contract__lead=lead).select_related("contract"),
        "can_work": can_work,
    }
    if can_work:
        context |= {
            "need_form": NeedForm(initial={"need": lead.confirmed_need}),
            "proposal_form": ProposalForm(),
            "contract_form": ContractForm(initial={"signed_on": timezone.localdate()}),
            "payment_form": PaymentForm(contracts=lead.contracts.all(), initial={"received_on": timezone.localdate()}),
            "back_form": StageBackForm(),
        }
    return context


@require_POST
@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def deal(request, pk):
    """One step of the deal: confirm the need, add a proposal, sign the contract, record a payment, or step back."""
    lead = _visible_lead(request, pk)
    action = request.POST.get("action")
    forms_by_action = {
        "need": NeedForm,
        "proposal": ProposalForm,
        "contract": ContractForm,
        "back": StageBackForm,
    }
    if action == "payment":
        form = PaymentForm(request.POST, contracts=lead.contracts.all())
    elif action in forms_by_action:
        form = forms_by_action[action](request.POST, request.FILES)
    else:
        raise Http404
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{lead.get_absolute_url()}#deal")
    data = form.cleaned_data
    steps = {
        "need": lambda: services.confirm_need(actor=request.user, lead=lead, need=data["need"]),
        "proposal": lambda: services.add_proposal(
            actor=request.user, lead=lead, amount=data["amount"], file=data["file"]
        ),
        "contract": lambda: services.sign_contract(
            actor=request.user,
            lead=lead,
            number=data["number"],
            amount=data["amount"],
            signed_on=data["signed_on"],
            term_months=data["term_months"],
        ),
        "payment": lambda: services.record_payment(
            actor=request.user,
            contract=data["contract"],
            amount=data["amount"],
            received_on=data["received_on"],
            method=data["method"],
        ),
        "back": lambda: services.move_stage_back(
            actor=request.user, lead=lead, to_stage=data["to_stage"], reason=data["reason"]
        ),
    }
    try:
        steps[action]()
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{lead.get_absolute_url()}#deal")


@login_required
def proposal_file(request, pk):
    """Serve a proposal's file to those who may see its lead, and nobody else."""
    proposal = get_object_or_404(Proposal.objects.filter(lead__in=selectors.visible_leads(request.user)), pk=pk)
    if not proposal.file:
        raise Http404
    return FileResponse(proposal.file.open("rb"), as_attachment=True, filename=proposal.file.name.rsplit("/", 1)[-1])


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def pipeline(request):
    """Open deals by stage with their amounts: a rep's own, a manager's teams'."""
    deals = selectors.open_deals(request.user)
    columns = []
    for stage in STAGE_PATH[:-1]:
        rows = [lead for lead in deals if lead.stage == stage]
        amount = sum((lead.deal_amount or Decimal("0") for lead in rows), Decimal("0"))
        columns.append({"stage": Stage(stage).label, "leads": rows, "amount": amount})
    return render(request, "leads/pipeline.html", {"columns": columns})


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def customers(request):
    """Customers with their contracts and what has been paid."""
    page = Paginator(selectors.customers_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "leads/customers.html", {"page": page, "query": ""})
