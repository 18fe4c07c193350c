import csv
import io
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import dashboards
from core.access import chosen_team, managed_teams, manager_required, teams_of
from core.forms import TeamPolicyForm
from core.models import Membership, Notification, Role
from core.notifications import mark_notifications_read
from core.policy import policy_for
from core.selectors import heartbeat_age
from leads.models import Lead, LeadState
from visits import views as visits_views


@login_required
def home(request):
    """Each role's landing page: a rep's Today, a manager's or QC's teams."""
    user = request.user
    if user.role == Role.REP:
        return visits_views.today(request)
    if user.role == Role.QC:
        return redirect("qc:queue")
    teams = teams_of(user).annotate(
        rep_count=count_per_team(Membership.objects.filter(role=Role.REP)),
        public_count=count_per_team(Lead.objects.filter(state=LeadState.PUBLIC)),
        owned_count=count_per_team(Lead.objects.filter(owner__isnull=False)),
    )
    return render(request, "core/home.html", {"role": user.role, "teams": teams})


def count_per_team(rows):
    """Return a subquery counting `rows` of the outer team; one per column keeps the counts independent."""
    counted = rows.filter(team=OuterRef("pk")).order_by().values("team").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)


class PeriodForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


@never_cache
@require_GET
def healthz(request):
    """Report whether the database answers and how long ago beat last ran the heartbeat job."""
    report = {"database": "ok", "heartbeat_age_seconds": None, "heartbeat": "missing"}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        age = heartbeat_age()
    except DatabaseError as error:
        report["database"] = f"error: {error.__class__.__name__}"
        return JsonResponse(report | {"status": "error"}, status=503)
    if age is not None:
        report["heartbeat_age_seconds"] = round(age.total_seconds())
        report["heartbeat"] = "ok" if age.total_seconds() <= settings.HEARTBEAT_STALE_AFTER_SECONDS else "stale"
    healthy = report["heartbeat"] == "ok"
    return JsonResponse(report | {"status": "ok" if healthy else "degraded"}, status=200 if healthy else 503)


@login_required
def notifications(request):
    """The user's notifications, newest first; opening the page marks them read."""
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    unread_ids = {notification.pk for notification in page if notification.read_at is None}
    response = render(request, "core/notifications.html", {"page": page, "unread_ids": unread_ids, "query": ""})
    mark_notifications_read(user=request.user)
    return response


@manager_required
def dashboard(request):
    """The managers' dashboards for a team (or all their teams) and a period; any chart's table as CSV."""
    teams = list(managed_teams(request.user))
    if not teams:
        raise Http404
    wanted = request.GET.get("team")
    chosen = [team for team in teams if str(team.pk) == wanted] if wanted else teams
    if wanted and not chosen:
        raise Http404
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=27), today
    if form.is_valid() and form.cleaned_data["start"] and form.cleaned_data["end"]:
        start, end = sorted((form.cleaned_data["start"], form.cleaned_data["end"]))
        start = max(start, end - timedelta(days=366))  # at most a year per view
    charts, snapshot = dashboards.all_charts(chosen, start, end)
    wanted_csv = request.GET.get("csv")
    if wanted_csv:
        chart = next((chart for chart in charts if chart.name == wanted_csv), None)
        if chart is None:
            raise Http404
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([str(column) for column in chart.columns])
        writer.writerows(chart.rows)
        response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{chart.name}-{start}-{end}.csv"'
        return response
    query = request.GET.copy()
    query.pop("csv", None)
    context = {
        "teams": teams,
        "team": chosen[0] if wanted else None,
        "start": start,
        "end": end,
        "charts": [(chart, chart.as_data()) for chart in charts],
        "snapshot": snapshot,
        "query": query.urlencode(),
    }
    return render(request, "core/dashboard.html", context)


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
