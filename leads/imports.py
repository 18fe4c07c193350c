"""Reading lead CSV files as Excel and WPS write them in China: UTF-8 (with or without BOM) or GBK/GB18030,
CRLF or LF, quoted fields holding commas and newlines, columns recognised by Chinese or English header names."""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from core.errors import DomainError
from leads.normalize import company_key, phone_key
from leads.values import problems_with

# field: header names a column may carry, compared without case or spaces
COLUMNS = {
    "company_name": ("公司", "公司名称", "企业名称", "客户名称", "单位名称", "company", "companyname"),
    "contact_name": ("联系人", "联系人姓名", "姓名", "contact", "contactname", "contactperson"),
    "contact_role": ("职务", "职位", "联系人职务", "role", "title", "contactrole"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "phone", "mobile", "phonenumber"),
    "second_phone": ("座机", "固话", "电话2", "备用电话", "secondphone", "landline", "phone2"),
    "address": ("地址", "详细地址", "address"),
    "building": ("楼宇", "大厦", "写字楼", "building"),
    "district": ("区", "区县", "区域", "district", "area"),
    "city": ("城市", "city"),
    "industry": ("行业", "industry"),
    "priority": ("优先级", "priority"),
    "latitude": ("纬度", "latitude", "lat"),
    "longitude": ("经度", "longitude", "lng", "lon"),
}
EXPORT_HEADERS = {
    "company_name": "公司名称 company",
    "contact_name": "联系人 contact",
    "contact_role": "职务 role",
    "phone": "电话 phone",
    "second_phone": "座机 second phone",
    "address": "地址 address",
    "building": "楼宇 building",
    "district": "区 district",
    "city": "城市 city",
    "industry": "行业 industry",
    "priority": "优先级 priority",
}
# A column the workbook reader adds: each row's number in the sheet, so row errors name the row Excel shows.
SHEET_ROW = "__sheet_row__"
# What a manager may upload at once; the upload page says so.
MAX_FILE_MEGABYTES = 20
MAX_ROWS = 200_000
# A cell may be as long as the file; its length is then a row error, not a refusal of the whole file.
csv.field_size_limit(2**31 - 1)


def _header_key(text: str) -> str:
    return "".join(text.split()).lower().replace("_", "").replace("-", "")


HEADER_LOOKUP = {_header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def header_field(text: str) -> str | None:
    """Return the lead field a header cell names; bilingual export headers ("公司名称 company") count too."""
    key = _header_key(text)
    if key in HEADER_LOOKUP:
        return HEADER_LOOKUP[key]
    words = text.split()
    if words and _header_key(words[0]) in HEADER_LOOKUP:
        return HEADER_LOOKUP[_header_key(words[0])]
    return None


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    duplicate_of: str = ""

    # Worked out once: an import looks each row's keys up several times (in the file, then among the leads).
    @cached_property
    def company_key(self) -> str:
        return company_key(self.values.get("company_name", ""))

    @cached_property
    def phone_keys(self) -> list[str]:
        return [key for key in (phone_key(self.values.get(name, "")) for name in ("phone", "second_phone")) if key]


def decode(raw: bytes) -> tuple[str, str]:
    """Return the text of an uploaded file and the encoding it was in, or refuse what is not a CSV.

    A stray NUL byte is kept visible as ␀ (PostgreSQL stores no NUL in text); its row becomes a row error.

    Excel and WPS in China save UTF-8 (with or without a byte-order mark), GBK/GB18030 or, as "Unicode text",
    UTF-16. A Japanese Excel saves Shift-JIS, which GB18030 would read without complaint as nonsense: it is named and
    refused rather than stored garbled.
    """
    if not raw or raw.isspace():  # isspace, not strip: no copy of a large file
        raise DomainError(_("The file is empty."))
    if raw[:4] == b"PK\x03\x04":
        raise DomainError(_("This is an Excel workbook, not a CSV. In Excel choose Save As, then CSV."))
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DomainError(
            _("This is an old Excel 97–2003 workbook (.xls). In Excel choose Save As, then .xlsx or CSV.")
        )
    utf16 = _utf16_variant(raw)
    if utf16:
        try:
            return _visible_nul(raw.decode(utf16)), "utf-16"
        except UnicodeDecodeError:
            raise DomainError(_("This file looks like UTF-16 text but cannot be read as such.")) from None
    head = raw[:4096]
    if head.count(b"\x00") > len(head) // 100:
        raise DomainError(_("This file is not a CSV text file."))
    try:
        return _visible_nul(raw.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_like_shift_jis(raw):
        raise DomainError(
            _("This file is in Shift-JIS (Japanese) encoding. Save it as CSV UTF-8 (逗号分隔) and upload it again.")
        )
    try:
        return _visible_nul(raw.decode("gb18030")), "gb18030"
    except UnicodeDecodeError:
        raise DomainError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) and try again.")) from None


NUL_SHOWN_AS = "\u2400"


def _visible_nul(text: str) -> str:
    return text.replace("\x00", NUL_SHOWN_AS)


def _utf16_variant(raw: bytes) -> str | None:
    """Return the codec of UTF-16 text (by its byte-order mark, or by the zero bytes of ASCII in it), else None."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = raw[:4096]
    pairs = len(head) // 2
    if pairs < 8:
        return None
    zeros_even = sum(1 for index in range(0, pairs * 2, 2) if head[index] == 0)
    zeros_odd = sum(1 for index in range(1, pairs * 2, 2) if head[index] == 0)
    if zeros_odd > pairs * 0.3 and zeros_even < pairs * 0.05:
        return "utf-16-le"
    if zeros_even > pairs * 0.3 and zeros_odd < pairs * 0.05:
        return "utf-16-be"
    return None


def _looks_like_shift_jis(raw: bytes) -> bool:
    """Whether bytes that are not UTF-8 are Japanese: kana when read as Shift-JIS, and mostly rare characters when
    read as GBK (the kana's bytes fall outside the common characters of GB2312, where Chinese text lives)."""
    try:
        japanese = raw.decode("shift_jis")
    except UnicodeDecodeError:
        return False
    if sum(1 for character in japanese if "\u3041" <= character <= "\u30ff") < 2:
        return False
    try:
        chinese = raw.decode("gb18030")
    except UnicodeDecodeError:
        return True
    wide = [character for character in chinese if ord(character) > 0x7F]
    common = sum(1 for character in wide if _is_common_chinese(character))
    return common < len(wide) * 0.8


def _is_common_chinese(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


# One physical line at a time, with its line break (CRLF, LF or a lone CR as old Mac files have): the csv reader
# joins the lines of a quoted field itself, and no copy of the whole text is made.
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _records(text: str) -> Iterator[list[str]]:
    """Yield the non-blank records of a CSV text, one by one."""
    newline = text.find("\n")
    first_line = text if newline == -1 else text[:newline]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader((match.group() for match in LINE.finditer(text)), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield record
    except csv.Error as error:
        raise DomainError(_("The file is not valid CSV: %(error)s") % {"error": error}) from None


def _columns(records: Iterator[list[str]]) -> dict[int, str | None]:
    """Read the header record: which lead field each column holds."""
    header = next(records, None)
    if header is None:
        raise DomainError(_("The file is empty."))
    columns = {index: SHEET_ROW if cell == SHEET_ROW else header_field(cell) for index, cell in enumerate(header)}
    if "company_name" not in columns.values():
        raise DomainError(
            _("No recognisable header row: the first row must name the columns, with at least 公司名称 / company.")
        )
    return columns


def count_rows(text: str) -> int:
    """Check that a CSV text can be read, with a header naming the company column and at most MAX_ROWS rows;
    return how many data rows it has. Nothing is kept but the count, whatever the file's size."""
    records = _records(text)
    _columns(records)
    rows = sum(1 for _record in records)
    if rows > MAX_ROWS:
        raise DomainError(
            _("The file has %(rows)s rows; import at most %(limit)s at a time (split the file).")
            % {"rows": rows, "limit": MAX_ROWS}
        )
    return rows


def read_rows(text: str) -> Iterator[Row]:
    """Yield every data row of a CSV text with the values of the columns it recognises, validated, one at a time."""
    records = _records(text)
    columns = _columns(records)
    sheet_row = next((index for index, name in columns.items() if name == SHEET_ROW), None)
    for number, record in enumerate(records, start=2):
        if sheet_row is not None and sheet_row < len(record) and record[sheet_row].isdigit():
            number = int(record[sheet_row])
        values = dict.fromkeys(COLUMNS, "")
        for index, cell in enumerate(record):
            name = columns.get(index)
            if name == SHEET_ROW:
                continue
            if name and not values[name]:
                values[name] = " ".join(cell.split())
        yield validate(Row(number=number, values=values))


def parse(text: str) -> list[Row]:
    """Every data row of a small CSV text at once (a large one is read with `read_rows`)."""
    count_rows(text)
    return list(read_rows(text))


def validate(row: Row) -> Row:
    row.errors.extend(problems_with(row.values))
    return row
