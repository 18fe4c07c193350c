"""The report pages: each role's start page, the managers' dashboard, the evening meeting and weekly compliance."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from core.access import chosen_team, managed_teams, manager_required, report_teams, role_required, teams_of
from core.calendar import last_closed_day, local_day
from core.exports import Table, table_response
from core.middleware import uses_browser_features
from core.models import Role
from core.params import DayField, day_param
from reports import daily, dashboards
from reports.briefing import morning_briefing
from visits.views import today


# "I'm here" asks the phone for its position.
@uses_browser_features("geolocation")
@login_required
def home(request):
    """Each role's landing page: a rep's Today, a manager's or QC's teams."""
    user = request.user
    if user.role == Role.REP:
        return today(request)
    if user.role == Role.QC:
        return redirect("qc:queue")
    teams = list(teams_of(user).select_related("policy").order_by("name"))  # the targets each briefing judges by
    return render(request, "reports/home.html", {"role": user.role, "briefings": morning_briefing(teams)})


class PeriodForm(forms.Form):
    start = DayField(required=False)
    end = DayField(required=False)


@manager_required
def dashboard(request):
    """The managers' dashboards for a team (or all their teams) and a period; any chart's table as CSV."""
    teams = list(managed_teams(request.user))
    if not teams:
        raise Http404
    # One team, or all of them when none is asked for.
    chosen = [chosen_team(request, teams)] if request.GET.get("team") else teams
    today = local_day(chosen[0])
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=27), today
    if form.is_valid() and form.cleaned_data["start"] and form.cleaned_data["end"]:
        start, end = sorted((form.cleaned_data["start"], form.cleaned_data["end"]))
        start = max(start, end - timedelta(days=366))  # at most a year per view
    charts, snapshot = dashboards.all_charts(chosen, start, end)
    file_format = "xlsx" if request.GET.get("xlsx") else "csv"
    wanted = request.GET.get(file_format)
    if wanted:
        chart = next((chart for chart in charts if chart.name == wanted), None)
        if chart is None:
            raise Http404
        response = table_response(Table(chart.columns, iter(chart.rows)), chart.name, file_format)
        response["Content-Disposition"] = f'attachment; filename="{chart.name}-{start}-{end}.{file_format}"'
        return response
    query = request.GET.copy()
    query.pop("csv", None)
    query.pop("xlsx", None)
    context = {
        "teams": teams,
        "team": chosen[0] if request.GET.get("team") else None,
        "start": start,
        "end": end,
        "charts": [(chart, chart.as_data()) for chart in charts],
        "snapshot": snapshot,
        "query": query.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


def _report_team(request):
    teams = report_teams(request.user)
    return chosen_team(request, teams), teams


@role_required(Role.MANAGER, Role.QC, Role.ADMIN)
def meeting(request):
    """The evening meeting (夕会) for a team and a day: a row per rep, totals, wins and difficulties."""
    team, teams = _report_team(request)
    day = day_param(request, "day") or local_day(team)
    rows, totals = daily.evening_meeting(team, day)
    context = {
        "team": team,
        "teams": teams,
        "day": day,
        "rows": rows,
        "totals": totals,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        # The meeting room's projector: the table alone, large, refreshed every minute as the last visits come in.
        "projector": request.GET.get("projector") == "1",
    }
    return render(request, "reports/meeting.html", context)


@role_required(Role.MANAGER, Role.ADMIN)
def compliance(request):
    """Weekly compliance: who missed the visit or effective target, on which days."""
    team, teams = _report_team(request)
    chosen = day_param(request, "week")
    monday = chosen - timedelta(days=chosen.weekday()) if chosen else daily.last_complete_week(team)
    today = local_day(team)
    rows = daily.weekly_compliance(team, monday, last_day=last_closed_day(team))
    context = {
        "team": team,
        "teams": teams,
        "monday": monday,
        "rows": rows,
        "days": [day for day, *_rest in rows[0].days] if rows else [],
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "this_week": today - timedelta(days=today.weekday()),
    }
    return render(request, "reports/compliance.html", context)
