"""The team calendar: each team lives in its own time zone, and every day-based rule turns on its local day.

Times are stored in UTC. A team's day runs from its local midnight to the next; the entry for a day's visits closes
at the policy's cut-off that evening; the morning jobs run once the team's local clock passes their time.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import Team
from core.policy import policy_for


def zone_of(team: Team | None) -> ZoneInfo:
    """Return the team's time zone; someone in no team lives by the installation's default (TIME_ZONE)."""
    return ZoneInfo(team.time_zone) if team is not None else timezone.get_default_timezone()


def local_day(team: Team | None, moment: datetime | None = None) -> date:
    """Return the team's local date at `moment` (now by default)."""
    return (moment or timezone.now()).astimezone(zone_of(team)).date()


def day_start(team: Team, day: date) -> datetime:
    """Return the local midnight that starts `day` for the team, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=zone_of(team))


def day_bounds(team: Team, first_day: date, last_day: date | None = None) -> tuple[datetime, datetime]:
    """Return [start, end): from the team's midnight starting `first_day` to the one ending `last_day`."""
    return day_start(team, first_day), day_start(team, (last_day or first_day) + timedelta(days=1))


def start_of_day(team: Team, moment: datetime | None = None) -> datetime:
    """Return the team's last local midnight before `moment` (now by default)."""
    return day_start(team, local_day(team, moment))


def has_passed(team: Team, clock: time, moment: datetime | None = None) -> bool:
    """Whether the team's local clock has reached `clock` today (the morning allocation, the QC draw)."""
    return (moment or timezone.now()).astimezone(zone_of(team)).time() >= clock


def entry_closes_at(team: Team, day: date) -> datetime:
    """Return the moment entry for `day` closes: the policy's cut-off, that evening, in the team's time zone."""
    return datetime.combine(day, policy_for(team).entry_cutoff, tzinfo=zone_of(team))


def is_entry_closed(team: Team, day: date, now: datetime | None = None) -> bool:
    return (now or timezone.now()) > entry_closes_at(team, day)


def last_closed_day(team: Team, now: datetime | None = None) -> date:
    """Return the latest day whose entry has closed: today after the cut-off, else yesterday.

    Targets are judged only on closed days: until the evening's cut-off nobody has missed today yet.
    """
    now = now or timezone.now()
    today = local_day(team, now)
    return today if is_entry_closed(team, today, now) else today - timedelta(days=1)
