"""Files for spreadsheets: every CSV the app hands out is written here, the way Excel in China opens it safely."""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone

PHONE_LIKE = re.compile(r"\+[\d\s()-]+")


def spreadsheet_safe(value) -> str:
    """Keep a cell from being run as a formula by Excel; phone numbers such as +86 138... stay as they are."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not PHONE_LIKE.fullmatch(text)):
        return "'" + text
    return text


def csv_bytes(header, rows) -> bytes:
    """Return a CSV that Excel opens correctly (UTF-8 with a byte-order mark, CRLF), no cell read as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(data: bytes, name: str) -> HttpResponse:
    """Return `data` as a download named after `name` and today's date."""
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response
