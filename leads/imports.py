"""Reading lead CSV files as Excel and WPS write them in China: UTF-8 (with or without BOM) or GBK/GB18030,
CRLF or LF, quoted fields holding commas and newlines, columns recognised by Chinese or English header names."""

import csv
import io
from dataclasses import dataclass, field

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
ENCODINGS = ("utf-8-sig", "gb18030")


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

    @property
    def company_key(self) -> str:
        return company_key(self.values.get("company_name", ""))

    @property
    def phone_keys(self) -> list[str]:
        return [key for key in (phone_key(self.values.get(name, "")) for name in ("phone", "second_phone")) if key]


def decode(raw: bytes) -> tuple[str, str]:
    """Return the text of an uploaded file and the encoding it was in, or refuse what is not a CSV."""
    if not raw.strip():
        raise DomainError(_("The file is empty."))
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DomainError(_("This is an Excel workbook, not a CSV. In Excel choose Save As, then CSV."))
    if b"\x00" in raw[:4096]:
        raise DomainError(_("This file is not a CSV text file."))
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) and try again."))


def parse(text: str) -> list[Row]:
    """Return every data row of a CSV text with the values of the columns it recognises, validated."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise DomainError(_("The file is not valid CSV: %(error)s") % {"error": error}) from None
    records = [record for record in records if any(cell.strip() for cell in record)]
    if not records:
        raise DomainError(_("The file is empty."))
    columns = {index: header_field(cell) for index, cell in enumerate(records[0])}
    if "company_name" not in columns.values():
        raise DomainError(
            _("No recognisable header row: the first row must name the columns, with at least 公司名称 / company.")
        )
    rows = []
    for number, record in enumerate(records[1:], start=2):
        values = dict.fromkeys(COLUMNS, "")
        for index, cell in enumerate(record):
            name = columns.get(index)
            if name and not values[name]:
                values[name] = " ".join(cell.split())
        rows.append(validate(Row(number=number, values=values)))
    return rows


def validate(row: Row) -> Row:
    row.errors.extend(problems_with(row.values))
    return row
