"""Files for spreadsheets: every CSV the app hands out is written here, so Excel and WPS open it safely.

Excel runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so such a cell
gets a leading apostrophe. A phone number written +86 … would be one too; it is written 0086 … instead, which dials
the same, reads the same, and imports back to the same lead.
"""

import csv
import io
import re

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number as people write it: an optional +, then at least seven digits among spaces, dashes and brackets.
PHONE_NUMBER = re.compile(r"\+?[\s()-]*(?:\d[\s()-]*){7,}")
ROWS_PER_CHUNK = 1000


def spreadsheet_safe(value) -> str:
    """Return the text of a cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def phone_for_spreadsheet(value) -> str:
    """Return a phone number readable as text in a spreadsheet: +86 … becomes 0086 …; anything else is made safe."""
    text = "" if value is None else str(value)
    if text.startswith("+") and PHONE_NUMBER.fullmatch(text):
        return "00" + text[1:]
    return spreadsheet_safe(text)


def csv_chunks(header, rows, *, phone_columns=()):
    """Yield a CSV as UTF-8 bytes (byte-order mark first, CRLF line ends), a thousand rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    phone_columns = set(phone_columns)

    def write(row):
        writer.writerow(
            phone_for_spreadsheet(cell) if index in phone_columns else spreadsheet_safe(cell)
            for index, cell in enumerate(row)
        )

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    write(header)
    yield "\ufeff".encode() + flush()
    for number, row in enumerate(rows, start=1):
        write(row)
        if number % ROWS_PER_CHUNK == 0:
            yield flush()
    tail = flush()
    if tail:
        yield tail


def csv_response(chunks, name: str) -> StreamingHttpResponse:
    """Stream CSV `chunks` as a download named after `name` and today's date; the first bytes leave at once."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response
