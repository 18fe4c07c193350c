"""Rows of Today written as stencils (core.stencils): a rep's Today lists up to 20 leads close to reclaim and the
day's visits, and Django rendered each row node by node (~150 us a row) though only a few values in it change."""

from django import template
from django.utils import timezone

from core.stencils import stencil
from leads.templatetags.leads_tags import deadline_badge

register = template.Library()


@register.simple_tag
def due_soon_row(lead, policy):
    """`{% due_soon_row lead policy %}`: the lead, the time left before it is taken back, a button to log a visit."""
    return stencil("visits/_due_soon_row.html", ("lead_url", "company", "badge", "lead_pk")).fill(
        lead_url=lead.get_absolute_url(),
        company=lead.company_name,
        badge=deadline_badge(lead, policy),
        lead_pk=str(lead.pk),
    )


@register.simple_tag
def today_visit_row(visit):
    """`{% today_visit_row visit %}`: when (in the page's time zone), the company, mode and outcome, and whether the
    visit was voided or not counted."""
    voided = bool(visit.is_voided)
    row = stencil(
        "visits/_today_visit_row.html",
        ("visit_url", "time", "company", "mode", "outcome"),
        voided=voided,
        not_counted=not voided and bool(visit.not_counted),
    )
    return row.fill(
        visit_url=visit.get_absolute_url(),
        time=timezone.localtime(visit.occurred_at).strftime("%H:%M"),
        company=visit.company_name,
        mode=visit.get_mode_display(),
        outcome=visit.get_outcome_display(),
    )
