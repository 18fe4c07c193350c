"""Reminders: an owner hears about a lead `remind_before_hours` before each of its deadlines, once per deadline."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Notification, TeamPolicy
from core.notifications import company_list, notify
from leads.models import Lead, LeadState


def send_reminders(*, now=None) -> int:
    """Remind owners of leads whose deadline falls within the team's reminder window, once per deadline."""
    now = now or timezone.now()
    reminded = 0
    for policy in TeamPolicy.objects.filter(team__is_active=True).select_related("team"):
        horizon = now + timedelta(hours=policy.remind_before_hours)
        assigned = Lead.objects.filter(team_id=policy.team_id, state=LeadState.ASSIGNED)
        due = {}
        with transaction.atomic():
            follow_up = assigned.filter(
                last_follow_up_at__isnull=True, follow_up_deadline__gt=now, follow_up_deadline__lte=horizon
            ).exclude(follow_up_reminded_for=F("follow_up_deadline"))
            resolve = assigned.filter(resolve_deadline__gt=now, resolve_deadline__lte=horizon).exclude(
                resolve_reminded_for=F("resolve_deadline")
            )
            for lead in follow_up.select_for_update(skip_locked=True).values("pk", "owner_id", "company_name"):
                due.setdefault(lead["owner_id"], {})[lead["pk"]] = lead["company_name"]
            for lead in resolve.select_for_update(skip_locked=True).values("pk", "owner_id", "company_name"):
                due.setdefault(lead["owner_id"], {})[lead["pk"]] = lead["company_name"]
            follow_up.filter(pk__in=[pk for leads in due.values() for pk in leads]).update(
                follow_up_reminded_for=F("follow_up_deadline")
            )
            resolve.filter(pk__in=[pk for leads in due.values() for pk in leads]).update(
                resolve_reminded_for=F("resolve_deadline")
            )
            notify(
                [
                    Notification(
                        user_id=owner_id,
                        kind=Notification.Kind.REMINDER,
                        params={
                            "count": len(leads),
                            "hours": policy.remind_before_hours,
                            "companies": company_list(list(leads.values())),
                        },
                        created_at=now,
                    )
                    for owner_id, leads in due.items()
                ]
            )
        reminded += sum(len(leads) for leads in due.values())
    return reminded
