import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.access import admin_required, chosen_team, managed_teams, manager_required
from core.forms import TeamPolicyForm
from core.health import broker_problem, database_problem, heartbeat_age
from core.jobs import latest_runs
from core.models import JobRun, Notification
from core.notifications import mark_notifications_read
from core.policy import policy_for


@require_GET
def service_worker(request):
    """The service worker, from the root so that it may keep the rep's pages; never cached itself."""
    path = settings.BASE_DIR / "static" / "js" / "sw.js"
    response = HttpResponse(path.read_text(encoding="utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def favicon(request):
    """Browsers and bookmark tools ask for /favicon.ico before reading the page's icon link."""
    return redirect(static("favicon.svg"))


@never_cache
@require_GET
def healthz(request):
    """Report whether the database and the broker answer and how long ago beat last ran the heartbeat job;
    503 names the part that is missing or stale."""
    report = {"database": "ok", "broker": "ok", "heartbeat_age_seconds": None, "heartbeat": "missing"}
    broken = broker_problem()
    if broken:
        report["broker"] = broken
    broken_database = database_problem()
    if broken_database:
        report["database"] = broken_database
        return JsonResponse(report | {"status": "error"}, status=503)
    age = heartbeat_age()
    if age is not None:
        report["heartbeat_age_seconds"] = round(age.total_seconds())
        report["heartbeat"] = "ok" if age.total_seconds() <= settings.HEARTBEAT_STALE_AFTER_SECONDS else "stale"
    healthy = report["heartbeat"] == "ok" and report["broker"] == "ok"
    return JsonResponse(report | {"status": "ok" if healthy else "degraded"}, status=200 if healthy else 503)


@admin_required
def job_runs(request):
    """The last run of every scheduled job with its outcome, and the latest failure of each, for the operator."""
    latest = {run.job: run for run in latest_runs()}
    failures = {
        run.job: run
        for run in (
            JobRun.objects.filter(job=job, outcome=JobRun.Outcome.FAILED).order_by("-started_at").first()
            for job in settings.CELERY_BEAT_SCHEDULE
        )
        if run is not None
    }
    rows = [
        {"job": job, "every": entry["schedule"], "last": latest.get(job), "failure": failures.get(job)}
        for job, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]
    return render(request, "core/jobs.html", {"rows": rows})


@login_required
def notifications(request):
    """The user's notifications, newest first; opening the page marks them read."""
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    unread_ids = {notification.pk for notification in page if notification.read_at is None}
    response = render(request, "core/notifications.html", {"page": page, "unread_ids": unread_ids, "query": ""})
    mark_notifications_read(user=request.user)
    return response


@manager_required
def policy(request, team_pk=None):
    """Each managed team's rules; the manager edits one at a time."""
    teams = list(managed_teams(request.user))
    if team_pk is not None:
        teams = [team for team in teams if team.pk == team_pk]
    team = chosen_team(request, teams)
    form = TeamPolicyForm(request.POST or None, instance=policy_for(team))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The rules of %(team)s are saved.") % {"team": team})
        return redirect("policy_of", team_pk=team.pk)
    return render(request, "core/policy.html", {"form": form, "team": team, "teams": list(managed_teams(request.user))})


def server_error(request):
    """The page of an unexpected error; when the database is out of reach, a 503 that says to try again shortly.

    Rendered without the request's context: the navigation would ask the database, the very thing that failed.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
