"""Files for spreadsheets: every CSV and .xlsx the app hands out is written here, so Excel and WPS open it safely.

Excel runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so such a cell
gets a leading apostrophe. A phone number written +86 … would be one too; it is written 0086 … instead, which dials
the same, reads the same, and imports back to the same lead.
"""

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


@dataclass
class Table:
    """Rows for a spreadsheet: a header, the rows (an iterator, read once), and which columns hold phone numbers."""

    header: list
    rows: object
    phone_columns: tuple = ()

    def as_csv(self):
        return csv_chunks(self.header, self.rows, phone_columns=self.phone_columns)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_cell(sheet, value, is_phone: bool):
    if isinstance(value, (int, float, Decimal, date, datetime)) and not isinstance(value, bool) and not is_phone:
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None) if isinstance(value, datetime) else value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
        return cell
    text = phone_for_spreadsheet(value) if is_phone else spreadsheet_safe(value)
    cell = WriteOnlyCell(sheet, value=text)
    # Typed as text: Excel never evaluates it, and a phone number keeps its leading 0 and all its digits.
    cell.data_type = "s"
    return cell


def xlsx_response(table: Table, name: str) -> FileResponse:
    """An .xlsx of `table`, written row by row (openpyxl's write-only mode) to a temporary file, then streamed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    phones = set(table.phone_columns)
    sheet.append([_xlsx_cell(sheet, cell, False) for cell in table.header])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, cell, index in phones) for index, cell in enumerate(row)])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    book.save(spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{name}-{timezone.localdate():%Y%m%d}.xlsx", content_type=XLSX
    )


def table_response(table: Table, name: str, file_format: str = ""):
    """The table as the download asked for: .xlsx when ?format=xlsx, else the CSV."""
    if file_format == "xlsx":
        return xlsx_response(table, name)
    return csv_response(table.as_csv(), name)
