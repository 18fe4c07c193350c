"""The timers of an assigned lead: when they start, which one reclaims it next, and when it is overdue."""

from datetime import datetime, timedelta

from core.models import TeamPolicy


def deadlines_from(policy: TeamPolicy, moment: datetime) -> dict:
    """Return the fields that (re)start both timers of an assigned lead at `moment`."""
    return {
        "assigned_at": moment,
        "follow_up_deadline": moment + timedelta(hours=policy.follow_up_hours),
        "resolve_deadline": moment + timedelta(days=policy.resolve_days),
        "last_follow_up_at": None,
        "private_since": None,
    }


NO_DEADLINES = {"follow_up_deadline": None, "resolve_deadline": None}
