"""Reading numbers and days out of what a browser sends: one way for every page, so no input makes a 500.

Only ASCII digits make a number (superscripts and other digits pass `str.isdigit` but not `int`), ids fit the
database's bigint, and days stay within the years the product works in.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
LARGEST_ID = 2**63 - 1


def whole_number(text, *, minimum: int = 0, maximum: int = LARGEST_ID) -> int | None:
    """Return `text` as a whole number within [minimum, maximum], or None when it is not one."""
    text = str(text if text is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def id_param(text) -> int | None:
    """Return the id an address or a form names, or None when it names none."""
    return whole_number(text, minimum=1)


def parse_day(text) -> date | None:
    """Return the day `text` names (YYYY-MM-DD) within the product's years, or None."""
    try:
        day = date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def day_param(request, name: str) -> date | None:
    """Return the day ?name= (or a posted name=) asks for; a day that cannot be read is said so, and ignored."""
    text = request.GET.get(name) or request.POST.get(name)
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        messages.warning(
            request,
            _("%(text)s is not a day we can show; use a date from %(first)s to %(last)s.")
            % {"text": text[:40], "first": FIRST_DAY, "last": LAST_DAY},
        )
    return day


class DayField(forms.DateField):
    """A date a person types into a form, within the product's years (a date picker on phones)."""

    default_error_messages = {"invalid": gettext_lazy("Enter a date such as 2026-11-27.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(FIRST_DAY, gettext_lazy("Enter a date from 2000 on.")),
            MaxValueValidator(LAST_DAY, gettext_lazy("Enter a date before 2100.")),
        ]
