"""Reads for a rep's day: the leads a visit may be logged on, the visits a user may see, and Today. Each runs a
fixed number of queries, however much history a rep has."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.access import scope_to_user
from core.models import Team, TeamPolicy, User
from core.policy import policy_for
from core.statements import Slot, Statement
from leads.deadlines import DEADLINE_FIELDS, due_by
from leads.lifecycle import WORKING_STATES
from leads.models import Lead, LeadEvent
from pools.selectors import private_count
from visits.counting import NOT_VOIDED, kept_counts_of, targets_met
from visits.models import CheckIn, DailyNote, Visit, VisitPlan

# A visit made before a lead moved may still be entered on it for this long after it left the rep.
ENTRY_AFTER_LEAVING = timedelta(days=1)


def _left_recently(rep: User):
    return LeadEvent.objects.filter(from_owner=rep, created_at__gte=timezone.now() - ENTRY_AFTER_LEAVING)


def _is_own_open_lead(rep: User, lead: Lead) -> bool:
    return lead.owner_id == rep.pk and lead.state in WORKING_STATES


def _own_open_leads(rep_id) -> Q:
    return Q(owner_id=rep_id, state__in=WORKING_STATES)


def leads_open_for_visits(rep: User) -> QuerySet[Lead]:
    """The leads a rep may log a visit on: their own open ones, and any that left them within the last day."""
    # The few leads lost within the day are read first: an OR with a subquery would read every lead instead.
    recently_lost = set(_left_recently(rep).values_list("lead_id", flat=True))
    return _open_for_visits(rep.pk, recently_lost)


def _open_for_visits(rep_id, recently_lost: set[int]) -> QuerySet[Lead]:
    return Lead.objects.filter(_own_open_leads(rep_id) | Q(pk__in=recently_lost))


def _as_choices(leads: QuerySet[Lead], horizon) -> QuerySet:
    due = ExpressionWrapper(due_by(horizon), output_field=BooleanField())
    return leads.annotate(due=due).order_by("company_name").values_list("pk", "company_name", "due")


# The visit form's leads, read every time it opens: compiled once, for a rep whose leads of the last day are all
# still theirs (the events of the day are mostly their own leads' stage moves).
_LEFT_RECENTLY = Statement(
    lambda: LeadEvent.objects.filter(
        from_owner_id=Slot("rep", BigIntegerField()), created_at__gte=Slot("since", DateTimeField())
    ).values_list("lead_id")
)
_OWN_LEAD_CHOICES = Statement(
    lambda: _as_choices(
        Lead.objects.filter(_own_open_leads(Slot("rep", BigIntegerField()))), Slot("horizon", DateTimeField())
    )
)


def lead_choices_for_visits(rep: User, horizon: datetime) -> list[tuple[int, str, bool]]:
    """The leads of `leads_open_for_visits` by company name: id, name and whether a deadline falls by `horizon`."""
    recently_lost = {
        lead_id for (lead_id,) in _LEFT_RECENTLY.rows(rep=rep.pk, since=timezone.now() - ENTRY_AFTER_LEAVING)
    }
    own = _OWN_LEAD_CHOICES.rows(rep=rep.pk, horizon=horizon)
    if recently_lost.issubset(lead_id for lead_id, _name, _due in own):
        return own
    return list(_as_choices(_open_for_visits(rep.pk, recently_lost), horizon))


# Read at every visit's entry: compiled once.
_LEAD_BY_ID = Statement(lambda: Lead.objects.filter(pk=Slot("lead", BigIntegerField())))


def lead_open_for_visit(rep: User, lead_id: int) -> Lead | None:
    """The lead `lead_id` if the rep may log a visit on it (as `leads_open_for_visits` says), else None.

    The rep's own lead, the case of nearly every entry, takes one query; the events are read only for another's."""
    lead = _LEAD_BY_ID.first(lead=lead_id)
    if lead is None or _is_own_open_lead(rep, lead) or _left_recently(rep).filter(lead_id=lead_id).exists():
        return lead
    return None


_PLANNED_LEADS = Statement(
    lambda: VisitPlan.objects.filter(rep_id=Slot("rep", BigIntegerField()), day=Slot("day", DateField())).values_list(
        "lead_id"
    )
)


def planned_lead_ids(rep: User, day: date) -> set[int]:
    """The leads on the rep's plan for `day` (the visit form offers them first)."""
    return {lead_id for (lead_id,) in _PLANNED_LEADS.rows(rep=rep.pk, day=day)}


# Read (and locked) at every visit's entry in person: compiled once.
_OPEN_CHECK_IN = Statement(
    lambda: (
        CheckIn.objects.select_for_update()
        .filter(
            rep_id=Slot("rep", BigIntegerField()),
            lead_id=Slot("lead", BigIntegerField()),
            day=Slot("day", DateField()),
            visit__isnull=True,
        )
        .order_by("-checked_in_at")[:1]
    )
)


def open_check_in(rep: User, lead: Lead, day: date) -> CheckIn | None:
    """The rep's latest check-in at the lead that day not yet attached to a visit, locked for the entry attaching it."""
    return _OPEN_CHECK_IN.first(rep=rep.pk, lead=lead.pk, day=day)


def plannable_leads(rep: User) -> QuerySet[Lead]:
    """The leads a rep may put on a visit plan: their own, still being worked."""
    return Lead.objects.filter(owner=rep, state__in=WORKING_STATES).order_by("company_name")


# How many leads the plan page offers at once; a search narrows a longer list.
PLAN_CHOICES_SHOWN = 100


def plan_candidates(rep: User, day: date, search: str = "") -> QuerySet[Lead]:
    """The rep's leads not yet on the day's plan, by district and building (a route is walked building by building),
    matching `search` in the company name, building, district or address."""
    leads = plannable_leads(rep).exclude(pk__in=VisitPlan.objects.filter(rep=rep, day=day).values("lead_id"))
    if search:
        leads = leads.filter(
            Q(company_name__icontains=search)
            | Q(building__icontains=search)
            | Q(district__icontains=search)
            | Q(address__icontains=search)
        )
    return leads.only("pk", "company_name", "district", "building", "address").order_by(
        "district", "building", "company_name", "pk"
    )


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """Return the visits a user may open: a rep their own, managers and QC their teams', an admin all."""
    return scope_to_user(Visit.objects.all(), user, owner_field="rep")


def get_visit_for(user: User, pk) -> Visit:
    """Return a visit `user` may open, with its rep, lead and team; any other visit is not found."""
    return get_object_or_404(visits_visible_to(user).select_related("rep", "lead", "team"), pk=pk)


@dataclass
class TodaySummary:
    day: date
    policy: TeamPolicy
    in_person: int
    effective: int
    visit_target: int
    effective_target: int
    effective_stretch: int
    targets_met: bool = False
    plan: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    private_count: int = 0
    private_cap: int = 0
    visits: list = field(default_factory=list)

    @property
    def visits_to_go(self) -> int:
        return max(0, self.visit_target - self.in_person)

    @property
    def effective_to_go(self) -> int:
        return max(0, self.effective_target - self.effective)

    @property
    def visit_percent(self) -> int:
        return min(100, round(100 * self.in_person / self.visit_target)) if self.visit_target else 100

    @property
    def effective_percent(self) -> int:
        return min(100, round(100 * self.effective / self.effective_target)) if self.effective_target else 100


# Today is the page a rep opens most (after every visit's entry): its reads are compiled once, with the rep and day.
_REP = Slot("rep", BigIntegerField())
_DAY = Slot("day", DateField())


def _day_plan():
    visited = Visit.objects.filter(NOT_VOIDED, rep_id=_REP, day=_DAY, lead_id=OuterRef("lead_id"))
    checked_in = CheckIn.objects.filter(rep_id=_REP, day=_DAY, lead_id=OuterRef("lead_id")).order_by("-checked_in_at")
    return (
        VisitPlan.objects.filter(rep_id=_REP, day=_DAY)
        .select_related("lead")
        .only("pk", "lead_id", "purpose", "lead__company_name")
        .annotate(visited=Exists(visited), checked_in_at=Subquery(checked_in.values("checked_in_at")[:1]))
    )


_DAY_PLAN = Statement(_day_plan)
_DUE_SOON = Statement(
    lambda: (
        Lead.objects.filter(owner_id=_REP)
        .filter(due_by(Slot("horizon", DateTimeField())))
        .only(*DEADLINE_FIELDS, "company_name")
        .order_by("follow_up_deadline", "resolve_deadline")[:20]
    )
)
_DAY_VISITS = Statement(
    lambda: Visit.objects.filter(rep_id=_REP, day=_DAY).only(
        "pk", "occurred_at", "company_name", "mode", "outcome", "is_voided", "not_counted"
    )[:30]
)


_DAY_NOTE = Statement(lambda: DailyNote.objects.filter(rep_id=_REP, day=_DAY).values_list("win", "difficulty"))


def day_note_of(rep: User, day: date) -> dict | None:
    """What the rep has written for the evening meeting of `day` (their win and difficulty), if anything."""
    rows = _DAY_NOTE.rows(rep=rep.pk, day=day)
    return {"win": rows[0][0], "difficulty": rows[0][1]} if rows else None


def today_for(rep: User, team: Team, day: date, now: datetime) -> TodaySummary:
    policy = policy_for(team)
    counts = kept_counts_of(rep.pk, team.pk, day)
    plan = [(item, item.visited) for item in _DAY_PLAN.objects(rep=rep.pk, day=day)]
    horizon = now + timedelta(hours=max(policy.remind_before_hours, 24))
    due_soon = _DUE_SOON.objects(rep=rep.pk, horizon=horizon)
    return TodaySummary(
        day=day,
        policy=policy,
        in_person=counts["in_person"],
        effective=counts["effective"],
        visit_target=policy.daily_visit_target,
        effective_target=policy.daily_effective_target,
        effective_stretch=policy.daily_effective_stretch,
        targets_met=targets_met(counts, policy),
        plan=plan,
        due_soon=due_soon,
        private_count=private_count(rep),
        private_cap=policy.private_cap,
        visits=_DAY_VISITS.objects(rep=rep.pk, day=day),
    )
