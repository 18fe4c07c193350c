"""Planning the day: which leads to visit, in which order, and the day's win and difficulty for the meeting."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_rep_team
from core.calendar import local_day
from core.errors import DomainError
from core.locks import lock_rep
from core.models import User
from leads.lifecycle import WORKING_STATES
from leads.models import Lead
from visits.models import (
    DailyNote,
    VisitPlan,
)

# A day's plan longer than this is a wish list, not a route.
LONGEST_PLAN = 50


def plan_visits(*, actor: User, leads: list[Lead], day: date, purpose: str = "") -> list[VisitPlan]:
    """Put several of the rep's leads on their plan for a day (today or later), at the end of the route, in one go.

    A lead already on that day's plan keeps its place (its purpose is updated when one is given)."""
    team = require_rep_team(actor)
    if not leads:
        raise DomainError(_("Tick at least one lead to add."))
    if day < local_day(team, timezone.now()):
        raise DomainError(_("Plan today or a day ahead, not the past."))
    if any(lead.owner_id != actor.pk or lead.state not in WORKING_STATES for lead in leads):
        raise DomainError(_("Only your own leads can go on your plan."))
    purpose = (purpose or "").strip()[:200]
    with transaction.atomic():
        lock_rep(actor)
        planned = {item.lead_id: item for item in VisitPlan.objects.filter(rep=actor, day=day)}
        new_leads = [lead for lead in dict.fromkeys(leads) if lead.pk not in planned]
        if len(planned) + len(new_leads) > LONGEST_PLAN:
            raise DomainError(
                _("A day's plan holds at most %(most)d visits; %(planned)d are planned already.")
                % {"most": LONGEST_PLAN, "planned": len(planned)}
            )
        if purpose:
            VisitPlan.objects.filter(rep=actor, day=day, lead__in=leads).update(purpose=purpose)
        last = max((item.position for item in planned.values()), default=0)
        return VisitPlan.objects.bulk_create(
            VisitPlan(rep=actor, lead=lead, day=day, purpose=purpose, position=last + number)
            for number, lead in enumerate(new_leads, start=1)
        )


def move_planned_visit(*, actor: User, plan: VisitPlan, earlier: bool) -> None:
    """Swap a planned visit with the one before it (or after it) on the rep's route for that day."""
    if plan.rep_id != actor.pk:
        raise DomainError(_("This is not your plan."))
    with transaction.atomic():
        lock_rep(actor)
        route = list(VisitPlan.objects.filter(rep=actor, day=plan.day).order_by("position", "pk"))
        at = next((index for index, item in enumerate(route) if item.pk == plan.pk), None)
        other = (at - 1 if earlier else at + 1) if at is not None else None
        if other is None or not 0 <= other < len(route):
            return
        route[at], route[other] = route[other], route[at]
        for position, item in enumerate(route, start=1):
            item.position = position
        VisitPlan.objects.bulk_update(route, ["position"])


def unplan_visit(*, actor: User, plan: VisitPlan) -> None:
    if plan.rep_id != actor.pk:
        raise DomainError(_("This is not your plan."))
    VisitPlan.objects.filter(pk=plan.pk).delete()


def save_daily_note(*, actor: User, day: date, win: str, difficulty: str) -> DailyNote:
    """Record the rep's win and difficulty of the day for the evening meeting."""
    team = require_rep_team(actor)
    note, _created = DailyNote.objects.update_or_create(
        rep=actor,
        day=day,
        defaults={"team": team, "win": (win or "").strip()[:300], "difficulty": (difficulty or "").strip()[:300]},
    )
    return note
