from django import template
from django.utils.translation import gettext, gettext_noop

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
