"""Rows of Today written as stencils (core.stencils): a rep's Today lists up to 20 leads close to reclaim and the
day's visits, and Django rendered each row node by node (~150 us a row) though only a few values in it change."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from core.stencils import Stencil
from leads.templatetags.leads_tags import deadline_badge

register = template.Library()


@lru_cache(maxsize=64)
def _due_soon_row(language: str, prefix: str) -> Stencil:
    return Stencil("visits/_due_soon_row.html", {}, holes=("lead_url", "company", "badge", "lead_pk"))


@register.simple_tag
def due_soon_row(lead, policy):
    """`{% due_soon_row lead policy %}`: the lead, the time left before it is taken back, a button to log a visit."""
    return _due_soon_row(get_language(), get_script_prefix()).fill(
        lead_url=lead.get_absolute_url(),
        company=lead.company_name,
        badge=deadline_badge(lead, policy),
        lead_pk=str(lead.pk),
    )


@lru_cache(maxsize=64)
def _visit_row(language: str, prefix: str, voided: bool, not_counted: bool) -> Stencil:
    return Stencil(
        "visits/_today_visit_row.html",
        {"voided": voided, "not_counted": not_counted},
        holes=("visit_url", "time", "company", "mode", "outcome"),
    )


@register.simple_tag
def today_visit_row(visit):
    """`{% today_visit_row visit %}`: when (in the page's time zone), the company, mode and outcome, and whether the
    visit was voided or not counted."""
    voided = bool(visit.is_voided)
    stencil = _visit_row(get_language(), get_script_prefix(), voided, not voided and bool(visit.not_counted))
    return stencil.fill(
        visit_url=visit.get_absolute_url(),
        time=timezone.localtime(visit.occurred_at).strftime("%H:%M"),
        company=visit.company_name,
        mode=visit.get_mode_display(),
        outcome=visit.get_outcome_display(),
    )
