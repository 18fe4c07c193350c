"""Reading a team's policy and the team-local calendar its timers run on."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import Team
from pools.models import PoolPolicy


def policy_for(team: Team) -> PoolPolicy:
    """Return the team's policy, creating it with the defaults of DESIGN.md on first use."""
    policy, _created = PoolPolicy.objects.get_or_create(team=team)
    return policy


def start_of_day(team: Team, moment: datetime | None = None) -> datetime:
    """Return the last midnight in the team's time zone, as an aware datetime."""
    local = (moment or timezone.now()).astimezone(ZoneInfo(team.time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def deadlines_from(policy: PoolPolicy, moment: datetime) -> dict:
    """Return the fields that (re)start both timers of an assigned lead at `moment`."""
    return {
        "assigned_at": moment,
        "follow_up_deadline": moment + timedelta(hours=policy.follow_up_hours),
        "resolve_deadline": moment + timedelta(days=policy.resolve_days),
        "last_follow_up_at": None,
        "private_since": None,
    }


NO_DEADLINES = {"follow_up_deadline": None, "resolve_deadline": None}
