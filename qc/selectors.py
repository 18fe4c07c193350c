"""Reads for QC: the audit queue, draw progress and the integrity reports."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.access import audited_teams, scope_to_user
from core.models import User
from qc.models import OPEN_STATUSES, Draw, Incident, Sample, SampleStatus


def audit_queue(user: User) -> QuerySet[Sample]:
    """Samples still to check with the customer, oldest visit first."""
    return (
        Sample.objects.filter(draw__team__in=audited_teams(user), status__in=OPEN_STATUSES)
        .select_related("visit")
        .order_by("visit__day", "visit__occurred_at", "pk")
    )


# What a row of the queue shows (qc_tags.audit_queue_row), and nothing else of the five tables: building the leads'
# and reps' other columns was an eighth of the page. A column the row starts showing goes here too, or each row reads
# it with a statement of its own (the queue's test counts them).
QUEUE_ROW_READS = (
    "status",
    "attempts",
    "signals",
    "visit__company_name",
    "visit__day",
    "visit__mode",
    "visit__outcome",
    "visit__person_met",
    "visit__person_role",
    "visit__rep__name",
    "visit__rep__username",
    "visit__lead__contact_name",
    "visit__lead__phone",
    "visit__lead__phone_key",
    "visit__check_in__id",
)


def with_what_the_check_needs(sample_ids: list[int]) -> list[Sample]:
    """The samples of `sample_ids`, in that order, each with its visit, rep, lead and check-in. The queue pages
    through the samples' ids and then reads its 20 rows: sorting the whole backlog joined to reps and leads cost
    the page more than both."""
    samples = (
        Sample.objects.select_related("visit__rep", "visit__lead", "visit__check_in")
        .only(*QUEUE_ROW_READS)
        .in_bulk(sample_ids)
    )
    return [samples[pk] for pk in sample_ids if pk in samples]


STATUS_COUNTS = {status: Count("pk", filter=Q(status=status)) for status in SampleStatus.values}


def draw_progress(user: User, latest: int | None = None) -> QuerySet[Draw]:
    """Draws of the user's teams, newest first, each with its samples counted by status; only the `latest` few are
    counted when asked (the queue's summary), not every draw the teams ever had."""
    draws = Draw.objects.filter(team__in=audited_teams(user)).order_by("-day", "-created_at")
    if latest is not None:
        draws = Draw.objects.filter(pk__in=list(draws.values_list("pk", flat=True)[:latest]))
    counts = {status: Count("samples", filter=Q(samples__status=status)) for status in SampleStatus.values}
    return (
        draws.select_related("team", "drawn_by")
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
    return scope_to_user(Incident.objects.all(), user, owner_field="rep").select_related(
        "rep", "visit", "audit__auditor", "team"
    )


def get_sample_for(user: User, pk) -> Sample:
    """Return a sample of a team `user` audits, with what the audit page shows; any other is not found."""
    samples = Sample.objects.filter(draw__team__in=audited_teams(user))
    return get_object_or_404(samples.select_related("visit__rep", "visit__lead", "visit__team", "draw"), pk=pk)
