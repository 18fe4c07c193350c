from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.links import path_to
from core.stencils import stencil
from leads import deadlines
from leads.models import LeadState

register = template.Library()

# Under four weeks no calendar month fits in the time left, so timeuntil's words depend only on the whole minutes.
_MONTHLESS = timedelta(days=28)
_ANY_MOMENT = datetime(2001, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=16384)  # at most 40,320 minutes in four weeks, per language
def _words_for(minutes: int, language: str) -> str:
    return timeuntil(_ANY_MOMENT + timedelta(minutes=minutes), _ANY_MOMENT, depth=2)


def time_left(deadline, now) -> str:
    """`timeuntil(deadline, now, depth=2)`: "3 hours, 20 minutes". The words for a number of minutes are put together
    once per language (20 us a call; a list of leads shows one per row), except past four weeks, where months count."""
    left = deadline - now
    if left >= _MONTHLESS:
        return timeuntil(deadline, now, depth=2)
    return _words_for(max(left // timedelta(minutes=1), 0), get_language())


@register.simple_tag
def deadline_badge(lead, policy):
    """Show the time left before the lead is taken back: amber inside the team's reminder window, red once past.

    An assigned lead counts down to its next deadline, a private one to its idle limit."""
    deadline = deadlines.reclaimed_at(lead, policy)
    if deadline is None:
        return ""
    now = timezone.now()
    if deadline <= now:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("overdue"))
    warning = deadline - now <= timedelta(hours=policy.remind_before_hours)
    left = time_left(deadline, now)
    if lead.state == LeadState.PRIVATE:
        label = _("back to the pool in %(time)s") % {"time": left}
    else:
        label = _("%(time)s left") % {"time": left}
    colour = "text-bg-warning" if warning else "text-bg-light border"
    return format_html('<span class="badge {}">{}</span>', colour, label)


_MY_LEAD_HOLES = (
    "lead_url",
    "company",
    "badge",
    "contact_name",
    "contact_role",
    "phone_key",
    "phone",
    "district",
    "building",
    "last_follow_up",
    "lead_pk",
    "keep_url",
    "close_url",
)


@register.simple_tag
def my_lead_row(lead, policy):
    """`{% my_lead_row lead policy %}`: a lead of My leads with its time left and what the rep can do with it, from a
    stencil (core.stencils): Django rendered each row's 40-odd nodes, ~250 us a row, 25 rows a page."""
    row = stencil("pools/_my_lead_row.html", _MY_LEAD_HOLES, state=lead.state, has_phone=bool(lead.phone))
    last_follow_up = ""
    if lead.state == LeadState.PRIVATE and (moment := lead.last_follow_up_at or lead.private_since):
        last_follow_up = date_format(timezone.template_localtime(moment), "SHORT_DATE_FORMAT")
    return row.fill(
        lead_url=lead.get_absolute_url(),
        company=lead.company_name,
        badge=deadline_badge(lead, policy),
        contact_name=lead.contact_name,
        contact_role=lead.contact_role,
        phone_key=lead.phone_key,
        phone=lead.phone,
        district=lead.district,
        building=lead.building,
        last_follow_up=last_follow_up,
        lead_pk=str(lead.pk),
        keep_url=path_to("pools:keep", lead.pk) if lead.state == LeadState.ASSIGNED else "",
        close_url=path_to("leads:close", lead.pk),
    )


@register.simple_tag
def team_lead_row(lead, policy):
    """`{% team_lead_row lead policy %}`: a lead of the team's leads (25 a page), its owner and, while it
    is assigned, the time left before it is taken back, from a stencil (core.stencils)."""
    holes = ("lead_pk", "company", "lead_url", "state", "owner", "badge")
    return stencil("pools/_team_lead_row.html", holes).fill(
        lead_pk=str(lead.pk),
        company=lead.company_name,
        lead_url=lead.get_absolute_url(),
        state=lead.get_state_display(),
        owner=str(lead.owner) if lead.owner else "—",
        badge=deadline_badge(lead, policy) if lead.state == LeadState.ASSIGNED else "",
    )
