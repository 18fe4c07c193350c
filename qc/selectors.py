"""Reads for QC: the audit queue, draw progress and the integrity reports."""

from django.db.models import Count, Q, QuerySet

from core.models import Membership, Role, Team, User
from qc.models import OPEN_STATUSES, Draw, Incident, Sample, SampleStatus


def audited_teams(user: User) -> QuerySet[Team]:
    """Return the teams whose visits `user` audits (every team for an admin)."""
    if user.role == Role.ADMIN:
        return Team.objects.all()
    return Team.objects.filter(pk__in=Membership.objects.filter(user=user, role=Role.QC).values("team"))


def audit_queue(user: User) -> QuerySet[Sample]:
    """Samples still to check with the customer, oldest visit first, with what the check needs."""
    return (
        Sample.objects.filter(draw__team__in=audited_teams(user), status__in=OPEN_STATUSES)
        .select_related("visit__rep", "visit__lead", "visit__team", "draw")
        .order_by("visit__day", "visit__occurred_at", "pk")
    )


STATUS_COUNTS = {status: Count("pk", filter=Q(status=status)) for status in SampleStatus.values}


def draw_progress(user: User) -> QuerySet[Draw]:
    """Draws of the user's teams, newest first, each with its samples counted by status."""
    counts = {status: Count("samples", filter=Q(samples__status=status)) for status in SampleStatus.values}
    return (
        Draw.objects.filter(team__in=audited_teams(user))
        .select_related("team", "drawn_by")
        .annotate(total=Count("samples"), **counts)
        .order_by("-day", "-created_at")
    )


def falsification_report(teams, start, end):
    """Per team and per rep over a period: samples audited, outcomes, falsification rate."""
    samples = Sample.objects.filter(draw__team__in=teams, visit__day__gte=start, visit__day__lte=end)
    by_team = (
        samples.values("draw__team__name").annotate(total=Count("pk"), **STATUS_COUNTS).order_by("draw__team__name")
    )
    by_rep = (
        samples.values("visit__rep__username", "visit__rep__name", "draw__team__name")
        .annotate(total=Count("pk"), **STATUS_COUNTS)
        .order_by("-falsified", "visit__rep__username")
    )
    for row in [*by_team, *by_rep]:
        decided = row["total"] - row["pending"] - row["unreachable"] - row["unverifiable"]
        row["decided"] = decided
        row["rate"] = round(100 * row["falsified"] / decided, 1) if decided else None
    return list(by_team), list(by_rep)


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """A rep sees their own incidents; managers and QC those of their teams; an admin all."""
    incidents = Incident.objects.select_related("rep", "visit", "audit__auditor", "team")
    if user.role == Role.ADMIN:
        return incidents
    if user.role == Role.REP:
        return incidents.filter(rep=user)
    if user.role in (Role.MANAGER, Role.QC):
        return incidents.filter(team__in=Membership.objects.filter(user=user).values("team"))
    return incidents.none()
