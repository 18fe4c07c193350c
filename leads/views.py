"""The lead itself: its page and history, adding one, closing or converting it, import, export and collisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import (
    chosen_team,
    is_owner_or_manager,
    managed_team_ids,
    managed_teams,
    manager_required,
    rep_required,
    role_required,
)
from core.errors import DomainError
from core.exports import table_response
from core.middleware import uses_browser_features
from core.models import Role
from core.policy import policy_for
from leads import selectors
from leads.forms import CloseForm, CustomerDecisionForm, ImportForm, LeadForm
from leads.imports import MAX_FILE_MEGABYTES, MAX_ROWS
from leads.models import LeadState
from leads.services import intake, outcomes, position, transfer
from leads.tasks import check_import_task, commit_import_task

PAGE_SIZE = 25


def _fail(request, error: DomainError):
    messages.error(request, error.message)


# "I'm here" asks the phone for its position.
@uses_browser_features("geolocation")
@login_required
def detail(request, pk):
    lead = selectors.get_lead_for(request.user, pk)
    context = {
        "lead": lead,
        "events": selectors.history_of(lead),
        "policy": policy_for(lead.team),
        "may_decide": is_owner_or_manager(request.user, owner_id=lead.owner_id, team_id=lead.team_id),
        "is_manager": lead.team_id in managed_team_ids(request.user),
        "show_contact": selectors.shows_contact(request.user, lead),
        "has_contract": lead.state == LeadState.CUSTOMER and outcomes.has_signed_contract(lead),
    }
    return render(request, "leads/detail.html", context)


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def create(request):
    teams = list(managed_teams(request.user))
    if request.user.role != Role.REP and not teams:
        raise Http404
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = chosen_team(request, teams) if teams else None
            lead = intake.create_lead(actor=request.user, team=team, values=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lead added: %(company)s.") % {"company": lead.company_name})
            return redirect(lead)
    return render(request, "leads/create.html", {"form": form, "teams": teams})


def _customer_decision(request, pk, *, act, heading, button, done):
    """A manager's decision on a lead's customer status, with the reason asked first."""
    lead = selectors.get_lead_for(request.user, pk)
    if lead.team_id not in managed_team_ids(request.user):
        raise Http404
    form = CustomerDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done % {"company": lead.company_name})
            return redirect(lead)
    context = {"lead": lead, "form": form, "heading": heading, "button": button}
    return render(request, "leads/customer_decision.html", context)


@require_POST
@manager_required
def set_position(request, pk):
    """A manager places the lead on the map; check-ins far from it become a QC signal."""
    lead = selectors.get_lead_for(request.user, pk)
    try:
        position.set_position(
            actor=request.user,
            lead=lead,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Position saved."))
    return redirect(lead)


@manager_required
def convert(request, pk):
    """Make a lead a customer without a contract (a manager, saying why)."""
    return _customer_decision(
        request,
        pk,
        act=outcomes.convert_lead,
        heading=_("Make a customer without a contract"),
        button=_("Make it a customer"),
        done=_("%(company)s is now a customer."),
    )


@manager_required
def unconvert(request, pk):
    """Take back the customer status of a lead with no contract (a manager, saying why)."""
    return _customer_decision(
        request,
        pk,
        act=outcomes.withdraw_customer,
        heading=_("Withdraw the customer status"),
        button=_("Withdraw the status"),
        done=_("%(company)s is an assigned lead of its rep again, with new deadlines."),
    )


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def close(request, pk):
    lead = selectors.get_lead_for(request.user, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.close_lead(
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
    lead = selectors.get_lead_for(request.user, pk)
    try:
        outcomes.reopen_lead(actor=request.user, lead=lead)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(company)s is back in the public pool.") % {"company": lead.company_name})
    return redirect(lead)


@rep_required
def export_mine(request):
    leads = selectors.visible_leads(request.user).filter(owner=request.user).order_by("state", "pk")
    return table_response(transfer.export_table(leads), "my-leads", request.GET.get("format", ""))


@manager_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None, teams=managed_teams(request.user))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lead_import = transfer.upload_import(
                actor=request.user, team=form.cleaned_data["team"], file_name=upload.name, raw=upload.read()
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            if lead_import.row_count <= transfer.INLINE_ROWS:
                transfer.check_import(lead_import=lead_import)
            else:
                transaction.on_commit(lambda: check_import_task.delay(lead_import.pk), robust=True)
            return redirect("leads:import_preview", pk=lead_import.pk)
    limits = {"megabytes": MAX_FILE_MEGABYTES, "rows": MAX_ROWS}
    return render(request, "leads/import_upload.html", {"form": form, "limits": limits})


@manager_required
def import_preview(request, pk):
    """What the file will add; "add" imports it (at once when small, by the worker when large)."""
    lead_import = selectors.get_import_for(request.user, pk)
    if request.method == "POST":
        try:
            transfer.start_import(actor=request.user, lead_import=lead_import)
        except DomainError as error:
            _fail(request, error)
            return redirect("leads:import_preview", pk=lead_import.pk)
        if lead_import.row_count > transfer.INLINE_ROWS:
            transaction.on_commit(lambda: commit_import_task.delay(lead_import.pk, request.user.pk), robust=True)
            return redirect("leads:import_preview", pk=lead_import.pk)
        try:
            transfer.commit_import(actor=request.user, lead_import=lead_import)
        except DomainError as error:
            transfer.fail_import(lead_import_id=lead_import.pk, problem=error.message)
            _fail(request, error)
            return redirect("leads:import_preview", pk=lead_import.pk)
        lead_import.refresh_from_db()
        summary = lead_import.summary or {}
        messages.success(
            request,
            _("%(added)s leads added to %(team)s; %(duplicates)s duplicates and %(bad)s bad rows left out.")
            % {
                "added": lead_import.added_count,
                "team": lead_import.team,
                "duplicates": summary.get("duplicates", 0),
                "bad": summary.get("bad", 0),
            },
        )
        return redirect(f"{reverse('pools:team')}?team={lead_import.team_id}")
    context = {
        "lead_import": lead_import,
        "summary": lead_import.summary or {},
        "is_working": lead_import.is_working,
        "progress": _progress_label(lead_import),
    }
    return render(request, "leads/import_preview.html", context)


def _progress_label(lead_import) -> str:
    return _("%(status)s… %(done)s of %(total)s rows") % {
        "status": lead_import.get_status_display(),
        "done": lead_import.rows_done,
        "total": lead_import.row_count,
    }


@manager_required
def import_progress(request, pk):
    """How far a file's check or import has got, for the progress bar of its page."""
    lead_import = selectors.get_import_for(request.user, pk)
    return JsonResponse(
        {
            "working": lead_import.is_working,
            "percent": lead_import.percent_done,
            "label": _progress_label(lead_import),
        }
    )


@manager_required
def collisions(request):
    teams = managed_teams(request.user)
    page = Paginator(selectors.collisions_for(teams), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "leads/collisions.html", {"page": page})
