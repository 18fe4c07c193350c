from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import audited_teams, chosen_team, qc_required, report_teams, role_required
from core.calendar import local_day
from core.errors import DomainError
from core.models import Role
from core.policy import policy_for
from qc import selectors, services
from qc.coverage import FORMULA, INVENTED_PER_DAY, WEEKS, qc_coverage
from qc.forms import AuditForm, DrawForm, PeriodForm
from qc.models import SampleStatus


@qc_required
def queue(request):
    """The audit queue: each sampled visit with what is needed to check it with the customer, oldest first."""
    samples = selectors.audit_queue(request.user).values_list("pk", flat=True)
    page = Paginator(samples, 20).get_page(request.GET.get("page"))
    page.object_list = selectors.with_what_the_check_needs(list(page.object_list))
    progress = list(selectors.draw_progress(request.user, latest=10))
    return render(request, "qc/queue.html", {"page": page, "progress": progress, "query": ""})


@qc_required
def audit(request, pk):
    sample = selectors.get_sample_for(request.user, pk)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_audit(
                actor=request.user,
                sample=sample,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
                confirmed=form.cleaned_data["confirm_falsified"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            following = selectors.audit_queue(request.user).exclude(pk=sample.pk).first()
            if following is None:
                messages.success(request, _("Audit recorded. The queue is empty."))
                return redirect("qc:queue")
            messages.success(
                request, _("Audit recorded. Next: %(company)s.") % {"company": following.visit.company_name}
            )
            return redirect("qc:audit", following.pk)
    context = {
        "sample": sample,
        "visit": sample.visit,
        "form": form,
        "audits": sample.audits.select_related("auditor"),
        "is_open": sample.status in (SampleStatus.PENDING, SampleStatus.UNREACHABLE),
    }
    return render(request, "qc/audit.html", context)


@qc_required
def draws(request):
    """Draw progress, and a draw on demand for a chosen team and day."""
    teams = audited_teams(request.user)
    yesterday = local_day(teams[0]) - timedelta(days=1) if teams else None
    form = DrawForm(request.POST or None, teams=teams, initial={"day": yesterday})
    budget = None
    if request.method == "POST" and form.is_valid() and "budget" in request.POST:
        candidates, audited, strong = services.draw_budget(team=form.cleaned_data["team"], day=form.cleaned_data["day"])
        budget = {"candidates": candidates, "audited": audited, "strong": strong}
    elif request.method == "POST" and form.is_valid():
        try:
            draw = services.draw_sample(
                team=form.cleaned_data["team"], day=form.cleaned_data["day"], actor=request.user
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            said = {"count": draw.samples.count(), "candidates": draw.candidates, "seed": draw.seed}
            if draw.drawn_before:
                message = _(
                    "%(day)s had been drawn before (%(before)s visits sampled): this draw tops it up with %(count)s "
                    "more of the %(candidates)s not drawn yet (seed %(seed)s)."
                ) % {**said, "day": draw.day, "before": draw.drawn_before}
            else:
                message = _("Drew %(count)s of %(candidates)s visits (seed %(seed)s).") % said
            messages.success(request, message)
            return redirect("qc:draws")
    page = Paginator(selectors.draw_progress(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "qc/draws.html", {"form": form, "page": page, "query": "", "budget": budget})


@role_required(Role.QC, Role.MANAGER, Role.ADMIN)
def report(request):
    """Outcome counts and falsification rates by team and rep over a period; reps with incidents."""
    today = local_day(request.team)
    form = PeriodForm(request.GET or None, initial={"start": today - timedelta(days=30), "end": today})
    start, end = today - timedelta(days=30), today
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    teams = report_teams(request.user)
    by_team, by_rep = selectors.falsification_report(teams, start, end)
    incidents = selectors.incidents_visible_to(request.user).filter(visit__day__gte=start, visit__day__lte=end)
    context = {"form": form, "start": start, "end": end, "by_team": by_team, "by_rep": by_rep, "incidents": incidents}
    return render(request, "qc/report.html", context)


@login_required
def incidents(request):
    """Integrity incidents: a rep's own record, or those of the teams a manager or QC works with."""
    page = Paginator(selectors.incidents_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "qc/incidents.html", {"page": page, "query": ""})


@role_required(Role.QC, Role.MANAGER, Role.ADMIN)
def coverage(request):
    """Per rep: visits audited in the last four weeks, and the chance an inventor of visits would be caught by now."""
    teams = list(report_teams(request.user))
    team = chosen_team(request, teams)
    context = {
        "team": team,
        "teams": teams,
        "policy": policy_for(team),
        "rows": qc_coverage(team, local_day(team)),
        "weeks": WEEKS,
        "invented": INVENTED_PER_DAY,
        "formula": FORMULA,
    }
    return render(request, "qc/coverage.html", context)
