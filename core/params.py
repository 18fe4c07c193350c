"""Reading values out of a page's address."""

from datetime import date

from django.http import Http404


def day_param(text: str | None) -> date | None:
    """Return the day an address names (YYYY-MM-DD), None when it names none; a malformed day is a 404."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise Http404 from None
