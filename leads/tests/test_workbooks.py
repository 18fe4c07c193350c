"""An .xlsx as Excel and WPS save it imports like its CSV twin; exports open in Excel with nothing run as a formula."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.errors import DomainError
from deals.tests.test_money import contract as deal_signed  # noqa: F401 (a fixture)
from leads.models import Lead, LeadImport
from leads.services.transfer import check_import, commit_import, upload_import
from leads.tests.factories import LeadFactory, owned_lead
from leads.workbooks import cell_text

REGISTERED = datetime(2026, 11, 3, tzinfo=UTC).replace(tzinfo=None)  # Excel keeps no time zone
ROWS = [
    # company, contact, mobile, landline, address, registered on, priority, latitude, longitude
    ("杭州星河科技有限公司", "张三", 13812345678, 57188886666, "西湖区文三路1号", REGISTERED, 3, 30.274085, 120.1551),
    ("杭州云帆贸易有限公司", "李四", 13900001111.0, None, "滨江区江南大道 88 号", date(2026, 11, 4), 1, None, None),
    (None, None, None, None, None, None, None, None, None),  # a blank row in the middle of the sheet
    ("", "王五", 13900002222, None, "", None, None, None, None),  # no company: a row error
    ("杭州星河科技有限公司 ", "重复", None, None, "", None, None, None, None),  # the first row again
    ("上海浦江网络有限公司", "赵六", "021-6666 8888", 4008001234, "浦东新区", None, 2, 31.2304, 121.4737),
]


def excel_workbook() -> bytes:
    """A sheet as a manager makes it: a merged title, a two-row header with a merged group, numbers as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "11月展会"
    sheet.append(["2026年11月 展会线索（市场部）"])
    sheet.merge_cells("A1:I1")
    sheet.append(["公司名称", "联系人", "联系方式", None, "地址", "登记日期", "优先级", "纬度", "经度"])
    sheet.append([None, None, "手机", "座机", None, None, None, None, None])
    for column in "ABEFGHI":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("C2:D2")
    for row in ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_twin() -> bytes:
    """The same list typed as a CSV: every value as text, the landline with its 0."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(
        [
            ["公司名称", "联系人", "手机", "座机", "地址", "优先级", "纬度", "经度"],
            [
                "杭州星河科技有限公司",
                "张三",
                "13812345678",
                "057188886666",
                "西湖区文三路1号",
                "3",
                "30.274085",
                "120.1551",
            ],
            ["杭州云帆贸易有限公司", "李四", "13900001111", "", "滨江区江南大道 88 号", "1", "", ""],
            ["", "王五", "13900002222", "", "", "", "", ""],
            ["杭州星河科技有限公司 ", "重复", "", "", "", "", "", ""],
            ["上海浦江网络有限公司", "赵六", "021-6666 8888", "4008001234", "浦东新区", "2", "31.2304", "121.4737"],
        ]
    )
    return buffer.getvalue().encode("utf-8-sig")


def checked(manager, team, name, raw):
    lead_import = upload_import(actor=manager, team=team, file_name=name, raw=raw)
    return lead_import, check_import(lead_import=lead_import)


def test_an_xlsx_from_excel_imports_like_its_csv_twin(manager, team):
    from_excel, excel_plan = checked(manager, team, "展会线索.xlsx", excel_workbook())
    _from_csv, csv_plan = checked(manager, team, "展会线索.csv", csv_twin())

    assert excel_plan.counts == csv_plan.counts == {"to_add": 3, "duplicates": 1, "bad": 1}
    assert [row.values for row in excel_plan.to_add] == [row.values for row in csv_plan.to_add]
    # Row errors name the rows Excel shows: the title and the two header rows come first.
    assert [row.number for row in excel_plan.bad] == [7]
    assert [row.number for row in excel_plan.duplicates] == [8]
    commit_import(actor=manager, lead_import=from_excel)
    first = Lead.objects.get(company_name="杭州星河科技有限公司")
    assert (first.phone, first.second_phone, first.priority) == ("13812345678", "057188886666", 3)
    assert (first.latitude, first.longitude) == (Decimal("30.274085"), Decimal("120.155100"))
    assert Lead.objects.get(company_name="上海浦江网络有限公司").second_phone == "4008001234"
    assert from_excel.encoding == "xlsx"


def test_other_teams_leads_are_duplicates_across_teams_too(manager, team, other_manager, other_team):
    lead_import, _plan = checked(manager, team, "a.xlsx", excel_workbook())
    commit_import(actor=manager, lead_import=lead_import)

    again = upload_import(actor=other_manager, team=other_team, file_name="b.xlsx", raw=excel_workbook())

    assert check_import(lead_import=again).counts["to_add"] == 0


def test_numbers_and_dates_read_as_excel_shows_them():
    assert cell_text(13812345678.0, "phone") == "13812345678"
    assert cell_text(57188886666, "second_phone") == "057188886666", "a landline that lost its leading 0"
    assert cell_text(2166668888, "phone") == "02166668888"
    assert cell_text(4008001234, "phone") == "4008001234"
    assert cell_text(1.5, "priority") == "1.5"
    assert cell_text(30.274085, "latitude") == "30.274085"
    assert cell_text(REGISTERED, None) == "2026-11-03"
    assert cell_text(REGISTERED.replace(hour=9, minute=30), None) == "2026-11-03 09:30:00"
    assert cell_text(57188886666, "address") == "57188886666"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04 not really a workbook", "cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", "97"),
    ],
)
def test_a_workbook_that_cannot_be_read_gets_a_message(manager, team, raw, message):
    with translation.override("en"), pytest.raises(DomainError, match=message):
        upload_import(actor=manager, team=team, file_name="x.xlsx", raw=raw)


def test_a_sheet_without_a_header_is_refused(manager, team):
    book = Workbook()
    book.active.append(["foo", "bar"])
    book.active.append([1, 2])
    buffer = io.BytesIO()
    book.save(buffer)

    with translation.override("en"), pytest.raises(DomainError, match="No recognisable header row"):
        upload_import(actor=manager, team=team, file_name="x.xlsx", raw=buffer.getvalue())


def test_the_import_page_takes_an_xlsx_and_commits_it_once(client, manager, team):
    client.force_login(manager)
    upload = io.BytesIO(excel_workbook())
    upload.name = "展会线索.xlsx"

    preview = client.post(reverse("leads:import"), {"team": team.pk, "file": upload}, follow=True)
    assert preview.context["summary"]["to_add"] == 3
    lead_import = LeadImport.objects.get()
    client.post(reverse("leads:import_preview", args=[lead_import.pk]))
    client.post(reverse("leads:import_preview", args=[lead_import.pk]))

    assert Lead.objects.count() == 3


def sheet_of(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=False)
    return book.worksheets[0]


def test_the_team_export_as_xlsx_keeps_phones_as_text_and_runs_no_formula(client, manager, owner, team):
    owned_lead(team, owner, company_name='=HYPERLINK("http://evil.example","点我")', phone="+86 139 0000 0001")
    LeadFactory(team=team, company_name="杭州公海公司", phone="057188886666")
    client.force_login(manager)

    response = client.get(reverse("pools:export_team"), {"format": "xlsx"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    rows = {row[0].value: row for row in sheet_of(response).iter_rows(min_row=2)}
    evil = rows['\'=HYPERLINK("http://evil.example","点我")']
    assert evil[0].data_type == "s"
    assert evil[3].value == "0086 139 0000 0001"
    assert rows["杭州公海公司"][3].value == "057188886666"
    assert rows["杭州公海公司"][3].data_type == "s"


def test_an_exported_xlsx_imports_back_as_the_same_leads(client, manager, team, other_team, other_manager):
    LeadFactory(team=team, company_name="杭州回环科技有限公司", phone="13900000009", priority=2)
    client.force_login(manager)
    exported = b"".join(client.get(reverse("pools:export_team"), {"format": "xlsx"}).streaming_content)

    again = upload_import(actor=other_manager, team=other_team, file_name="back.xlsx", raw=exported)

    assert check_import(lead_import=again).counts == {"to_add": 0, "duplicates": 1, "bad": 0}


def test_customers_and_dashboard_tables_export_as_xlsx(client, manager, owner, team, deal_signed):  # noqa: F811
    client.force_login(manager)

    customers = sheet_of(client.get(reverse("deals:customers"), {"format": "xlsx"}))
    header, *rows = list(customers.iter_rows(values_only=True))
    assert header[0] == "公司名称 company"
    assert rows[0][0] == "杭州签约有限公司"
    assert rows[0][4] == 10000

    dashboard = client.get(reverse("reports:dashboard"), {"xlsx": "visits"})
    assert dashboard["Content-Disposition"].endswith('.xlsx"')
    table = list(sheet_of(dashboard).iter_rows(values_only=True))
    assert len(table) > 1
    assert all(isinstance(value, int) for value in table[1][1:])
