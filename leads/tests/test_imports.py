import pytest

from core.errors import DomainError
from leads.imports import decode, parse


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_excel_encodings_are_read(encoding):
    text, _used = decode("公司名称,电话\r\n杭州华鑫,13800000000\r\n".encode(encoding))

    assert parse(text)[0].values["company_name"] == "杭州华鑫"


def test_english_headers_in_any_order_and_case_are_recognised():
    rows = parse("Phone,Company Name,District\n13800000000,ABC Ltd,Xihu\n")

    assert rows[0].values["company_name"] == "ABC Ltd"
    assert rows[0].values["district"] == "Xihu"


def test_quoted_fields_keep_their_commas_and_newlines_and_row_numbers_follow_the_spreadsheet():
    rows = parse('company,address\n"A, Inc","line 1\nline 2"\nB,\n')

    assert [(row.number, row.values["address"]) for row in rows] == [(2, "line 1 line 2"), (3, "")]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV"),
    ],
)
def test_files_that_are_not_csv_get_a_clear_message(raw, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError, match=message):
        decode(raw)


def test_a_file_without_a_recognisable_header_is_refused():
    with pytest.raises(DomainError, match="无法识别表头"):
        parse("foo,bar\n1,2\n")


def test_bad_rows_say_what_is_wrong():
    rows = parse("公司名称,电话,优先级\n,13800000000,1\n杭州甲,12,1\n杭州乙,13800000001,high\n")

    assert [(row.number, len(row.errors)) for row in rows] == [(2, 1), (3, 1), (4, 1)]
