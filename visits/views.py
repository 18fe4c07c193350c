from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.access import manager_required, rep_required
from core.calendar import local_day
from core.errors import DomainError
from core.middleware import uses_browser_features
from core.models import Role
from core.paging import page_of
from core.params import day_param, id_param
from leads.models import Lead
from visits import selectors
from visits.counting import counted_companies
from visits.forms import KIND_COLD, DailyNoteForm, EditVisitForm, PlanForm, VisitForm
from visits.models import PhotoKind, VisitPhoto, VisitPlan
from visits.services import entry, evidence, plans
from visits.when import visit_moment


def _today(team) -> date:
    return local_day(team)


def _lead_choices(rep, team, day, counted_today=()):
    """The rep's leads for the visit form, grouped: today's plan, close to reclaim, then the rest by name. A lead
    visited today says so: another visit to it would not count."""
    visited = {lead_id for lead_id, _company in counted_today}
    # Read as plain values, "close to reclaim" decided by the database: 70-odd lead objects per form were a tenth of it.
    horizon = timezone.now() + timedelta(days=1)
    leads = selectors.lead_choices_for_visits(rep, horizon)
    planned = selectors.planned_lead_ids(rep, day)
    groups = [(_("Today's plan"), []), (_("Close to reclaim"), []), (_("My other leads"), [])]
    for lead_id, label, due in leads:
        group = 0 if lead_id in planned else 1 if due else 2
        if lead_id in visited:
            label = _("%(company)s (visited today: another visit will not count)") % {"company": label}
        groups[group][1].append((lead_id, label))
    return [(label, options) for label, options in groups if options]


def _sweep_of(query) -> dict:
    """The building and district a rep is sweeping (扫楼), carried from one cold visit to the next in the address."""
    sweep = {"building": " ".join(query.get("building", "").split())[:100]}
    if sweep["building"]:
        sweep["district"] = " ".join(query.get("district", "").split())[:50]
    return {name: value for name, value in sweep.items() if value}


def _initial_entry(query) -> dict:
    """What the form starts with: the lead the rep came from, or a cold visit in the building they are sweeping."""
    initial = {}
    lead = id_param(query.get("lead"))
    if lead:
        initial["lead"] = lead
    sweep = _sweep_of(query)
    if sweep:
        initial |= {"kind": KIND_COLD, **sweep}
    # An entry the phone could not deliver on its lead (it moved meanwhile) comes back as a cold visit.
    company = " ".join(query.get("company", "").split())[:200]
    if company:
        initial |= {"kind": KIND_COLD, "company_name": company}
    return initial


@rep_required
def today(request):
    """A rep's day: targets and progress, leads about to be reclaimed, the private pool, today's plan."""
    team = request.team
    day = _today(team)
    summary = selectors.today_for(request.user, team, day, timezone.now())
    note_form = DailyNoteForm(initial=selectors.day_note_of(request.user, day))
    sweep = _sweep_of(request.GET)
    context = {
        "summary": summary,
        "team": team,
        "note_form": note_form,
        "sweep_building": sweep.get("building", ""),
        "sweep_query": urlencode(sweep),
    }
    return render(request, "visits/today.html", context)


@rep_required
@uses_browser_features("geolocation")
def log(request):
    """Log a visit in a few taps: pick a lead (or enter a cold visit), who was met, the outcome."""
    team = request.team
    # The service checks that a posted lead is one the rep may log on; the list is built only to be shown.
    posted = id_param(request.POST.get("lead")) if request.method == "POST" else None
    initial = _initial_entry(request.GET)
    form = VisitForm(request.POST or None, lead_choices=[(posted, "")] if posted else [], initial=initial)
    # The offline queue sends the form as it was filled in and reads the answer as JSON.
    queued = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cold = None
        if data["kind"] == KIND_COLD:
            cold = {name: data[name] for name in ("company_name", "contact_name", "phone", "building", "district")}
        device_time, saved_at = _device_time(data["device_time"]), _device_time(data["saved_at"])
        try:
            made_at = entry.entry_moment(now=timezone.now(), saved_on_phone_at=saved_at, device_time=device_time)
            occurred_at = visit_moment(
                team, when=data["when"], at_time=data["at_time"], other_day=data["occurred_at"], now=made_at
            )
            result = entry.log_visit(
                actor=request.user,
                values=data,
                lead_id=None if cold else data["lead"],
                cold=cold,
                occurred_at=occurred_at,
                location=(data["latitude"], data["longitude"], data["accuracy"]),
                device_time=device_time,
                client_id=data["client_id"],
                saved_on_phone_at=saved_at,
            )
        except DomainError as error:
            if queued:
                return JsonResponse({"status": "refused", "message": error.message}, status=409)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Visit to %(company)s saved.") % {"company": result.visit.company_name})
            for notice in result.notices:
                messages.warning(request, notice)
            # 扫楼, floor by floor: after a cold visit in a building, Today offers the next one in the same building.
            after = f"{reverse('home')}?{urlencode(_sweep_of(cold))}" if cold and cold["building"] else reverse("home")
            if queued:
                status = "replayed" if result.replayed else "saved"
                return JsonResponse({"status": status, "visit": result.visit.pk, "next": after})
            return redirect(after)
    elif request.method == "POST" and queued:
        errors = {name: [str(error) for error in errors] for name, errors in form.errors.items()}
        return JsonResponse({"status": "invalid", "errors": errors}, status=400)
    counted_today = counted_companies(rep_id=request.user.pk, day=_today(team))
    form.show_leads(_lead_choices(request.user, team, _today(team), counted_today))
    companies_today = [company for _lead_id, company in counted_today]
    return render(request, "visits/log.html", {"form": form, "companies_today": companies_today})


def _device_time(text: str):
    """The phone's clock as its script sent it; anything unreadable is no reading (never an error for the rep)."""
    try:
        moment = parse_datetime(text.strip()) if text else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


@login_required
def visit_list(request):
    """Visits the user may see: a rep their own, a manager their teams' (by day and rep)."""
    visits = selectors.visits_visible_to(request.user).select_related("rep", "lead")
    day = day_param(request, "day")
    if day:
        visits = visits.filter(day=day)
    rep_id = id_param(request.GET.get("rep"))
    if rep_id and request.user.role != Role.REP:
        visits = visits.filter(rep_id=rep_id)
    # Counted exactly up to ten thousand, estimated beyond: a year of a team's visits is not counted on every view.
    page = page_of(request, visits, 30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "visits/list.html", {"page": page, "day": day, "query": query.urlencode()})


@login_required
def detail(request, pk):
    visit = selectors.get_visit_for(request.user, pk)
    locked = entry.is_locked(visit)
    context = {
        "visit": visit,
        "amendments": visit.amendments.select_related("amended_by"),
        "is_locked": locked,
        "can_edit": visit.rep_id == request.user.pk and not visit.is_voided,
        "photos": visit.photos.all(),
        "photo_kinds": PhotoKind.choices,
        "can_add_photo": visit.rep_id == request.user.pk and not visit.is_voided and not locked,
    }
    return render(request, "visits/detail.html", context)


@require_POST
@rep_required
def add_photo(request, pk):
    """A photo from the phone's camera as evidence of the visit."""
    visit = selectors.get_visit_for(request.user, pk)
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise DomainError(_("Choose a photo to add."))
        evidence.add_photo(actor=request.user, visit=visit, upload=upload, kind=request.POST.get("kind", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Photo added."))
    return redirect(visit)


@login_required
def photo(request, pk):
    """Serve a visit's photo to those who may see the visit (the rep, their manager, QC), and nobody else."""
    picture = get_object_or_404(VisitPhoto.objects.filter(visit__in=selectors.visits_visible_to(request.user)), pk=pk)
    response = FileResponse(picture.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@rep_required
def edit(request, pk):
    visit = selectors.get_visit_for(request.user, pk)
    locked = entry.is_locked(visit)
    initial = {name: getattr(visit, name) for name in entry.EDITABLE_FIELDS}
    form = EditVisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in entry.EDITABLE_FIELDS}
        try:
            entry.edit_visit(actor=request.user, visit=visit, changes=changes, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Amendment recorded.") if locked else _("Visit updated."))
            return redirect(visit)
    return render(request, "visits/edit.html", {"visit": visit, "form": form, "is_locked": locked})


@rep_required
def plan(request):
    """A day's visit plan (tomorrow's by default): tick several leads at once, grouped by building, then order the
    route."""
    team = request.team
    day = day_param(request, "day") or _today(team) + timedelta(days=1)
    here = f"{reverse('visits:plan')}?day={day.isoformat()}"
    if request.method == "POST":
        leads = selectors.plannable_leads(request.user)
        form = PlanForm(request.POST, lead_ids=leads.values_list("pk", flat=True))
        try:
            _change_plan(request, form, leads, day)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(here)
    search = (request.GET.get("q") or "").strip()[:100]
    candidates = list(selectors.plan_candidates(request.user, day, search)[: selectors.PLAN_CHOICES_SHOWN + 1])
    items = VisitPlan.objects.filter(rep=request.user, day=day).select_related("lead")
    context = {
        "day": day,
        "items": items,
        "form": PlanForm(lead_ids=[]),
        "search": search,
        "buildings": _by_building(candidates[: selectors.PLAN_CHOICES_SHOWN]),
        "more_than_shown": len(candidates) > selectors.PLAN_CHOICES_SHOWN,
        "shown": selectors.PLAN_CHOICES_SHOWN,
    }
    return render(request, "visits/plan.html", context)


def _change_plan(request, form, leads, day) -> None:
    for action in ("remove", "earlier", "later"):
        if request.POST.get(action):
            item = get_object_or_404(VisitPlan, pk=id_param(request.POST[action]), rep=request.user)
            if action == "remove":
                plans.unplan_visit(actor=request.user, plan=item)
            else:
                plans.move_planned_visit(actor=request.user, plan=item, earlier=action == "earlier")
            return
    if not form.is_valid():
        raise DomainError(_("Only your own leads can go on your plan."))
    chosen = {lead.pk: lead for lead in leads.filter(pk__in=form.cleaned_data["lead"])}
    added = plans.plan_visits(
        actor=request.user,
        leads=[chosen[pk] for pk in form.cleaned_data["lead"] if pk in chosen],
        day=day,
        purpose=form.cleaned_data["purpose"],
    )
    count = len(added)
    messages.success(
        request,
        ngettext("%(count)d visit added to the plan.", "%(count)d visits added to the plan.", count) % {"count": count},
    )


def _by_building(leads: list[Lead]) -> list[tuple[str, list[Lead]]]:
    """Group leads (sorted by district and building) under one heading per building."""
    groups: dict[str, list[Lead]] = {}
    for lead in leads:
        place = " ".join(part for part in (lead.district, lead.building) if part) or _("No building given")
        groups.setdefault(place, []).append(lead)
    return list(groups.items())


@require_POST
@rep_required
def check_in(request):
    """ "I'm here": one tap at the door records where and when the rep is, for the evening's entry to attach to."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("home")
    try:
        spot = evidence.check_in(
            actor=request.user,
            lead_id=id_param(request.POST.get("lead")),
            location=(request.POST.get("latitude"), request.POST.get("longitude"), request.POST.get("accuracy")),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Checked in at %(company)s at %(time)s (± %(meters)s m). Log the visit now or tonight: it attaches.")
            % {
                "company": spot.lead.company_name,
                "time": timezone.localtime(spot.checked_in_at).strftime("%H:%M"),
                "meters": spot.accuracy_meters if spot.accuracy_meters is not None else "?",
            },
        )
    return redirect(back)


@require_POST
@rep_required
def note(request):
    team = request.team
    form = DailyNoteForm(request.POST)
    if form.is_valid():
        plans.save_daily_note(actor=request.user, day=_today(team), **form.cleaned_data)
        messages.success(request, _("Saved for tonight's meeting."))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect("home")


@require_POST
@manager_required
def decide_collision(request, pk):
    """Count a cold visit that found a colleague's lead for the rep who made it, or not (the manager decides)."""
    visit = selectors.get_visit_for(request.user, pk)
    accept = request.POST.get("accept") == "1"
    try:
        entry.decide_collision_visit(actor=request.user, visit=visit, accept=accept)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = (
            _("%(rep)s's visit to %(company)s counts.")
            if accept
            else _("%(rep)s's visit to %(company)s does not count.")
        )
        messages.success(request, done % {"rep": visit.rep, "company": visit.company_name})
    return redirect(reverse("leads:collisions"))
