from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format, localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.stencils import stencil

register = template.Library()


def _cell(value, decimal_separator: str | None) -> str:
    # A 5,000-rep team's tables hold 20,000 cells: names, whole numbers and rates. Unless thousands are grouped
    # (decimal_separator is then None), a whole number is its digits and a rate its digits with the locale's decimal
    # separator, as localize() writes them, without its look-ups per cell; the rest (decimals, dates) go through it.
    if isinstance(value, str):
        return escape(value)
    if decimal_separator is not None:
        if type(value) is int:
            return str(value)
        if type(value) is float:
            written = str(value)
            if "e" not in written:  # localize() writes a tiny or huge float through Decimal
                return written.replace(".", decimal_separator)
    return escape(localize(value))


@register.simple_tag
def table_body_rows(rows):
    """The rows of a chart's table as <tr><td> cells, each value localised and escaped as `{{ value }}` would be.
    A four-week dashboard has over 500 cells; through a nested template loop they took a sixth of the page."""
    decimal_separator = None if settings.USE_THOUSAND_SEPARATOR else escape(get_format("DECIMAL_SEPARATOR"))
    return mark_safe(
        "".join(
            "<tr>" + "".join(f"<td>{_cell(cell, decimal_separator)}</td>" for cell in row) + "</tr>" for row in rows
        )
    )


@register.simple_tag
def compliance_row(row):
    """`{% compliance_row row %}`: a rep's week, each working day's in-person and effective visits, red where a
    target was missed, and the days missed. A stencil (core.stencils) with the day cells written here: a team of 50
    reps has 300 of them, and the template's loop over them took half of the page's time."""
    cells = "".join(
        f'<td class="text-center {"table-success" if met else "table-danger"}">{int(visits)} / {int(effective)}</td>'
        for _day, visits, effective, met in row.days
    )
    return stencil("reports/_compliance_row.html", ("rep", "cells", "missed")).fill(
        rep=str(row.rep), cells=mark_safe(cells), missed=str(row.missed)
    )


_MEETING_COUNTS = ("in_person", "effective", "checked_in", "cold", "phone", "new_leads", "conversions", "contracts")


@register.simple_tag
def meeting_row(row):
    """`{% meeting_row row %}`: a rep's day at the evening meeting, their counts, contracts and money, and whether
    the day's targets were met. A stencil (core.stencils): the projector refreshes the whole team every minute."""
    row_stencil = stencil(
        "reports/_meeting_row.html",
        ("rep", *_MEETING_COUNTS, "contract_amount", "collected"),
        target_met=bool(row.target_met),
    )
    return row_stencil.fill(
        rep=str(row.rep),
        **{name: str(int(getattr(row, name))) for name in _MEETING_COUNTS},
        contract_amount=floatformat(row.contract_amount, "2g"),
        collected=floatformat(row.collected, "2g"),
    )
