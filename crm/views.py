from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.models import Role
from crm.selectors import heartbeat_age, scope_to_user, teams_of
from leads.models import Lead, LeadState


@login_required
def home(request):
    """Each role's landing page: a rep's own leads, a manager's or QC's teams."""
    user = request.user
    context = {"role": user.role}
    if user.role == Role.REP:
        counts = scope_to_user(Lead.objects.all(), user).aggregate(
            **{state: Count("pk", filter=Q(state=state)) for state in LeadState.values}
        )
        context["lead_counts"] = [(LeadState(state).label, counts[state]) for state in LeadState.values]
    else:
        context["teams"] = teams_of(user).annotate(
            rep_count=Count("memberships", filter=Q(memberships__role=Role.REP), distinct=True),
            public_count=Count("leads", filter=Q(leads__state=LeadState.PUBLIC), distinct=True),
            owned_count=Count("leads", filter=Q(leads__owner__isnull=False), distinct=True),
        )
    return render(request, "crm/home.html", context)


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
