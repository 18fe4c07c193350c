from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from leads import deadlines
from leads.models import LeadState

register = template.Library()


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
    time_left = timeuntil(deadline, now, depth=2)
    if lead.state == LeadState.PRIVATE:
        label = _("back to the pool in %(time)s") % {"time": time_left}
    else:
        label = _("%(time)s left") % {"time": time_left}
    colour = "text-bg-warning" if warning else "text-bg-light border"
    return format_html('<span class="badge {}">{}</span>', colour, label)
