"""Reading a lead list saved by Excel or WPS as .xlsx: the first sheet becomes the same CSV text an import checks,
so a workbook goes through the CSV's preview, row errors, duplicate check and single commit unchanged.

Spreadsheets as managers really make them: a title row merged across the top, a header of two rows (联系方式 over
手机 and 座机), numbers stored as numbers (a phone as 13812345678.0, a landline that lost its leading 0), dates as
dates. openpyxl reads the sheet row by row (read-only mode), so a large sheet is never held whole.
"""

import csv
import io
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import DomainError
from leads.imports import MAX_ROWS, SHEET_ROW, header_field

# The header is looked for among the first rows: above it, titles and notes.
HEADER_SEARCH_ROWS = 10
PHONE_FIELDS = ("phone", "second_phone")


def is_workbook(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def _number_text(value: float | int | Decimal) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value) if not isinstance(value, float) else repr(value)


def cell_text(value, field: str | None = None) -> str:
    """The text of a cell as the manager sees it in Excel (no 1.3812345678E10, no 00:00:00 after a date)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        text = _number_text(value)
        if field in PHONE_FIELDS and text.isdigit():
            return _phone_digits(text)
        return text
    return str(value)


def _phone_digits(digits: str) -> str:
    """A phone number kept as a number loses its leading 0: a landline with its area code (0571 8888 6666 became
    57188886666) starts with 2-9 and has 10 or 11 digits; mobiles start with 1, and 400/800 numbers keep theirs."""
    if len(digits) in (10, 11) and digits[0] in "23456789" and not digits.startswith(("400", "800")):
        return "0" + digits
    return digits


def _header(rows: list[tuple]) -> tuple[int, int, dict[int, str]] | None:
    """Find the header among the first rows: (its row index, how many rows it spans, {column: field}), or None."""
    for index, row in enumerate(rows):
        columns = {column: header_field(str(cell)) for column, cell in enumerate(row) if cell not in (None, "")}
        columns = {column: name for column, name in columns.items() if name}
        if "company_name" not in columns.values():
            continue
        below = rows[index + 1] if index + 1 < len(rows) else ()
        # A second header row: names under a merged group cell (联系方式 → 手机, 座机), nothing in the company column.
        company_column = next(column for column, name in columns.items() if name == "company_name")
        under = {
            column: header_field(str(cell))
            for column, cell in enumerate(below)
            if cell not in (None, "") and column not in columns
        }
        under = {column: name for column, name in under.items() if name}
        if under and (company_column >= len(below) or below[company_column] in (None, "")):
            return index, 2, {**columns, **under}
        return index, 1, columns
    return None


def workbook_text(raw: bytes) -> str:
    """Return the first sheet of an .xlsx as CSV text: one header row of field names, then the data rows."""
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(_("This Excel file cannot be read; open it in Excel and save it again as .xlsx.")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise DomainError(_("The workbook has no sheet."))
        rows = sheet.iter_rows(min_row=1, values_only=True)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        found = _header(head)
        if found is None:
            raise DomainError(
                _(
                    "No recognisable header row in the first sheet: a row must name the columns, with "
                    "公司名称 / company."
                )
            )
        header_at, spans, columns = found
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        width = max(columns) + 1
        writer.writerow([SHEET_ROW, *(columns.get(column, "") for column in range(width))])
        written = 0

        def write(number, row):
            nonlocal written
            cells = [
                cell_text(row[column] if column < len(row) else None, columns.get(column)) for column in range(width)
            ]
            if any(cells):
                writer.writerow([number, *cells])
                written += 1
                if written > MAX_ROWS:
                    raise DomainError(
                        _("The file has more than %(limit)s rows; import at most %(limit)s at a time (split the file).")
                        % {"limit": MAX_ROWS}
                    )

        first_data_row = header_at + spans + 1
        for number, row in enumerate(head[header_at + spans :], start=first_data_row):
            write(number, row)
        for number, row in enumerate(rows, start=len(head) + 1):
            write(number, row)
        return output.getvalue()
    finally:
        book.close()
