from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext, gettext_noop, ngettext

from core.links import path_to
from core.stencils import stencil
from qc.models import SampleStatus
from visits.models import VisitMode

register = template.Library()

# What each risk signal (qc.risk) says to the auditor: its sentence, and which figure of the signal fills each of the
# sentence's blanks. A table rather than an included template per badge: the queue shows a few dozen badges, and an
# include's chain of {% elif %} for each of them cost the page more than its list query.
SIGNAL_WORDING = {
    "late_entry": (gettext_noop("entered after the cut-off"), {}),
    "repeated_notes": (gettext_noop("long notes copied"), {}),
    "far_from_lead": (gettext_noop("%(meters)s m from the lead's known place"), {"meters": "meters"}),
    "far_position": (gettext_noop("%(km)s km from earlier visits"), {"km": "km"}),
    "impossible_speed": (gettext_noop("reached at %(kmh)s km/h from the previous check-in"), {"kmh": "kmh"}),
    "switch": (gettext_noop("entered hours later without a check-in, on a day with check-ins"), {}),
    "no_check_in_day": (gettext_noop("no check-in all day (%(count)s visits)"), {"count": "count"}),
    "reused_photo": (gettext_noop("the same photo is on %(count)s visits"), {"count": "visits"}),
    "clock_skew": (gettext_noop("phone clock %(minutes)s min off"), {"minutes": "minutes"}),
    "shared_phone": (gettext_noop("phone shared with another rep's lead"), {}),
    "burst": (gettext_noop("entered in a batch (no longer a signal)"), {}),
}


@register.filter
def signal_text(signal: dict) -> str:
    """The sentence of a visit's risk signal in the reader's language (the template escapes it); an unknown signal
    shows its code."""
    code = signal.get("code", "")
    if code not in SIGNAL_WORDING:
        return str(code)
    sentence, blanks = SIGNAL_WORDING[code]
    if not blanks:
        return gettext(sentence)
    return gettext(sentence) % {blank: signal.get(figure, "") for blank, figure in blanks.items()}


_QUEUE_ROW_HOLES = (
    "audit_url",
    "company",
    "day",
    "rep",
    "outcome",
    "person_met",
    "person_role",
    "contact",
    "phone_key",
    "phone",
    "attempts",
    "signals",
)


@register.simple_tag
def audit_queue_row(sample):
    """`{% audit_queue_row sample %}`: a sampled visit with what checking it with the customer needs (who was met, the
    lead's contact and phone) and why it may be doubtful (no check-in, failed calls, risk signals). A stencil
    (core.stencils): Django rendered each of the queue's 20 rows node by node, ~0.4 ms a row."""
    visit = sample.visit
    lead = visit.lead
    unreachable = sample.status == SampleStatus.UNREACHABLE
    row = stencil(
        "qc/_queue_row.html",
        _QUEUE_ROW_HOLES,
        no_check_in=visit.mode == VisitMode.IN_PERSON and getattr(visit, "check_in", None) is None,
        has_lead=lead is not None,
        unreachable=unreachable,
    )
    return row.fill(
        audit_url=path_to("qc:audit", sample.pk),
        company=visit.company_name,
        day=visit.day.strftime("%m-%d"),
        rep=str(visit.rep),
        outcome=visit.get_outcome_display(),
        person_met=visit.person_met or "—",
        person_role=visit.get_person_role_display(),
        contact=lead.contact_name if lead else "",
        phone_key=lead.phone_key if lead else "",
        phone=lead.phone if lead else "",
        attempts=(
            ngettext("%(attempts)s attempt", "%(attempts)s attempts", sample.attempts) % {"attempts": sample.attempts}
            if unreachable
            else ""
        ),
        signals=format_html_join(
            "", '<span class="badge text-bg-warning ms-1">{}</span>', ((signal_text(s),) for s in sample.signals)
        ),
    )
