from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def deadline_badge(deadline, warn_hours=12):
    """Show the time left before a deadline, amber inside the reminder window and red once it has passed."""
    if deadline is None:
        return ""
    now = timezone.now()
    if deadline <= now:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("overdue"))
    style = "text-bg-warning" if deadline - now <= timedelta(hours=warn_hours) else "text-bg-light border"
    return format_html(
        '<span class="badge {}">{}</span>', style, _("%(time)s left") % {"time": timeuntil(deadline, now, depth=2)}
    )


@register.filter
def next_deadline(lead):
    """Return the deadline that reclaims an assigned lead next: first follow-up until it happens, then resolution."""
    if lead.follow_up_deadline and lead.last_follow_up_at is None:
        return min(lead.follow_up_deadline, lead.resolve_deadline or lead.follow_up_deadline)
    return lead.resolve_deadline
