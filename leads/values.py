"""What a lead's values must be, wherever they come from (the form, a cold visit, a CSV row)."""

from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.params import whole_number
from leads.models import Lead
from leads.normalize import company_key, phone_key

TEXT_FIELDS = (
    "company_name",
    "contact_name",
    "contact_role",
    "phone",
    "second_phone",
    "address",
    "building",
    "district",
    "city",
    "industry",
)
PHONE_DIGITS = (7, 15)  # a Chinese landline without its area code has 7; an international number at most 15


def max_length(name: str) -> int:
    return Lead._meta.get_field(name).max_length


def is_phone_number(text: str) -> bool:
    return PHONE_DIGITS[0] <= len(phone_key(text)) <= PHONE_DIGITS[1]


def position_of(values: dict) -> tuple[Decimal, Decimal] | None:
    """The (latitude, longitude) a lead's values give, or None when they give none or an impossible one."""
    try:
        latitude = Decimal(str(values.get("latitude") or "").strip())
        longitude = Decimal(str(values.get("longitude") or "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not (latitude.is_finite() and longitude.is_finite()):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude.quantize(Decimal("0.000001")), longitude.quantize(Decimal("0.000001"))


def position_fields(values: dict, source: str) -> dict:
    """Take the position out of a lead's values and return the lead fields it sets (none when it gives none)."""
    raw = {name: values.pop(name, "") for name in ("latitude", "longitude")}
    position = position_of(raw)
    if position is None:
        return {}
    return {"latitude": position[0], "longitude": position[1], "position_source": source}


def as_one_message(problems: list[str]) -> str:
    """The problems of a lead's values as one sentence for a form's message."""
    return capfirst("; ".join(problems)) + "."


def problems_with(values: dict) -> list[str]:
    """Return what is wrong with a lead's values, in words for the person who typed them; empty when all is well.

    Lengths are checked on the text as typed and on its normalised key too: full-width and compatibility characters
    grow under normalisation (㍿ becomes 株式会社), and the key must still fit its column.
    """
    problems = []
    name = values.get("company_name") or ""
    key = company_key(name)
    if not name:
        problems.append(_("the company name is missing"))
    elif not key:
        problems.append(_("the company name has no letters or digits"))
    elif len(key) > max_length("company_key"):
        problems.append(
            _("the company name is too long once written out (at most %(limit)s characters)")
            % {"limit": max_length("company_key")}
        )
    for field in ("phone", "second_phone"):
        phone = values.get(field) or ""
        if phone and not is_phone_number(phone):
            problems.append(_("%(phone)s is not a phone number") % {"phone": phone[:60]})
    for field in TEXT_FIELDS:
        limit = max_length(field)
        if len(values.get(field) or "") > limit:
            problems.append(_("%(column)s is longer than %(limit)s characters") % {"column": field, "limit": limit})
    if any(character in str(value or "") for value in values.values() for character in ("\x00", "\u2400")):
        problems.append(_("the row holds a NUL character (a binary file pasted in?)"))
    if (values.get("latitude") or values.get("longitude")) and position_of(values) is None:
        problems.append(_("the latitude and longitude must both be numbers (e.g. 30.2741, 120.1551)"))
    priority = values.get("priority")
    if priority not in (None, "") and whole_number(priority, maximum=9) is None:
        problems.append(_("the priority must be a whole number from 0 to 9"))
    return problems
