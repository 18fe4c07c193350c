import csv
import io

import pytest

from core.exports import ROWS_PER_CHUNK, csv_chunks, phone_for_spreadsheet, spreadsheet_safe


@pytest.mark.parametrize("cell", ["=1+1", "+1-1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "+86 =1"])
def test_every_cell_a_spreadsheet_would_run_is_neutralised(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    assert phone_for_spreadsheet(cell) == "'" + cell


@pytest.mark.parametrize(
    ("phone", "written"),
    [
        ("+86 139 0000 0001", "0086 139 0000 0001"),
        ("+86-571-8812-3456", "0086-571-8812-3456"),
        ("13900000001", "13900000001"),
    ],
)
def test_real_phone_numbers_stay_readable_as_text(phone, written):
    assert phone_for_spreadsheet(phone) == written


def test_a_long_export_is_sent_in_chunks_that_join_into_one_csv():
    rows = [[f"公司{number}", "+1-1"] for number in range(ROWS_PER_CHUNK * 2 + 5)]

    chunks = list(csv_chunks(["公司名称 company", "x"], rows))

    assert len(chunks) == 4  # the header, two full chunks, the rest
    table = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert len(table) == len(rows) + 1
    assert table[-1] == [f"公司{len(rows) - 1}", "'+1-1"]
