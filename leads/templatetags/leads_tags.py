from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from leads import deadlines

register = template.Library()


@register.simple_tag
def deadline_badge(lead, policy):
    """Show the time left before the lead's next deadline: amber inside the team's reminder window, red once past."""
    deadline = deadlines.next_deadline(lead)
    if deadline is None:
        return ""
    now = timezone.now()
    if deadline <= now:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("overdue"))
    warning = deadline - now <= timedelta(hours=policy.remind_before_hours)
    return format_html(
        '<span class="badge {}">{}</span>',
        "text-bg-warning" if warning else "text-bg-light border",
        _("%(time)s left") % {"time": timeuntil(deadline, now, depth=2)},
    )
