"""When a visit happened, as a rep says it in the evening: just now, this morning, this afternoon, earlier today at a
given time, or another day (a visit may be entered up to a week late)."""

from datetime import datetime, time, timedelta

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import local_day, zone_of
from core.errors import DomainError
from core.models import Team


class When(models.TextChoices):
    NOW = "now", gettext_lazy("Just now")
    MORNING = "morning", gettext_lazy("This morning")
    AFTERNOON = "afternoon", gettext_lazy("This afternoon")
    AT_TIME = "at", gettext_lazy("Earlier today at…")
    OTHER_DAY = "day", gettext_lazy("Another day")


# The moment a half-day stands for; a visit is never recorded later than the moment it is entered.
HALF_DAYS = {When.MORNING: time(10, 0), When.AFTERNOON: time(15, 0)}
CLOCK_TOLERANCE = timedelta(minutes=5)


def visit_moment(
    team: Team, *, when: str, at_time: time | None, other_day: datetime | None, now: datetime
) -> datetime | None:
    """Return when the visit happened for the rep's quick choice, or None for "now".

    A time or a day typed while "just now" stays chosen (a phone without the form's script shows every field) is what
    the rep meant; a form posted without a choice (an older page, a script) means the day given, or now."""
    if when in ("", When.NOW):
        if other_day is not None or not at_time:
            return other_day
        when = When.AT_TIME
    if when == When.OTHER_DAY:
        if other_day is None:
            raise DomainError(_("Choose the day and time of the visit."))
        return other_day
    clock = HALF_DAYS.get(when) or at_time
    if clock is None:
        raise DomainError(_("Enter the time of the visit."))
    moment = datetime.combine(local_day(team, now), clock, tzinfo=zone_of(team))
    if when == When.AT_TIME and moment > now + CLOCK_TOLERANCE:
        raise DomainError(
            _("%(time)s today is still to come; for a visit on an earlier day choose “Another day”.")
            % {"time": formats.time_format(clock, "H:i")}
        )
    return min(moment, now)
