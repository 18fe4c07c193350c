"""Whatever file a manager uploads, the page answers with a message, and every valid row still gets in."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from leads.imports import MAX_FILE_MEGABYTES, MAX_ROWS
from leads.models import ImportStatus, Lead, LeadImport
from leads.services.transfer import INLINE_ROWS
from leads.tasks import check_import_task, commit_import_task

HEADER = "公司名称,手机,优先级\r\n"
GOOD = "杭州甲公司,13900000001,1\r\n杭州乙公司,13900000002,2\r\n"


@pytest.fixture
def as_manager(manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


def upload(client, team, content: bytes, name="名单.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("leads:import"), {"team": team.pk, "file": file}, follow=True)


def import_all(client):
    lead_import = LeadImport.objects.get()
    return client.post(reverse("leads:import_preview", args=[lead_import.pk]), follow=True)


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("杭州大字段公司,13900000003,1,," + "字" * 1_000_000, None),
        ("杭州空字符\x00公司,13900000003,1", "NUL"),
        ("杭州上标公司,13900000003,²", "优先级"),
        ("㍿" * 60 + ",13900000003,1", "展开后过长"),
        ("杭州电话公司," + "1" * 40 + ",1", "不是有效的电话号码"),
    ],
)
def test_a_bad_row_is_a_row_error_and_the_good_rows_are_added(as_manager, team, bad_row, problem):
    content = (HEADER.replace("\r\n", ",备注,地址\r\n") if bad_row.count(",") > 2 else HEADER) + bad_row + "\r\n"
    content += GOOD if bad_row.count(",") <= 2 else GOOD.replace("\r\n", ",,\r\n")

    preview = upload(as_manager, team, content.encode("utf-8"))

    assert preview.status_code == 200
    assert preview.context["summary"]["bad"] == 1
    if problem:
        assert problem in preview.context["summary"]["bad_rows"][0]["errors"]
    import_all(as_manager)
    assert sorted(Lead.objects.values_list("company_name", flat=True)) == ["杭州乙公司", "杭州甲公司"]


def test_utf16_from_excel_unicode_text_is_read(as_manager, team):
    preview = upload(as_manager, team, (HEADER + GOOD).replace(",", "\t").encode("utf-16"))

    assert preview.context["summary"]["to_add"] == 2
    assert preview.context["lead_import"].encoding == "utf-16"


def test_shift_jis_is_named_and_refused_instead_of_stored_garbled(as_manager, team):
    japanese = "会社名,電話\r\n株式会社さくら,0312345678\r\nひまわり商事,0398765432\r\n".encode("shift_jis")

    response = upload(as_manager, team, japanese)

    assert "Shift-JIS" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(as_manager, team):
    response = upload(as_manager, team, HEADER.encode() + b"x" * (MAX_FILE_MEGABYTES * 1024 * 1024 + 1))

    assert f"{MAX_FILE_MEGABYTES} MB" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_a_file_over_the_row_limit_is_refused_with_the_limit(as_manager, team):
    rows = "".join(f"公司{number}\r\n" for number in range(MAX_ROWS + 1))

    response = upload(as_manager, team, ("公司名称\r\n" + rows).encode())

    assert f"{MAX_ROWS}" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_the_upload_page_states_the_limits(as_manager):
    page = as_manager.get(reverse("leads:import")).content.decode()

    assert f"{MAX_FILE_MEGABYTES} MB" in page
    assert f"{MAX_ROWS}" in page


def test_a_large_file_is_checked_and_imported_by_the_worker_not_the_request(as_manager, team):
    rows = "".join(f"杭州批量{number:05d}公司,139{number:08d},1\r\n" for number in range(INLINE_ROWS + 1))
    preview = upload(as_manager, team, (HEADER + rows).encode())
    lead_import = LeadImport.objects.get()

    assert lead_import.status == ImportStatus.CHECKING
    assert preview.context["is_working"]
    check_import_task(lead_import.pk)  # as the worker runs it

    ready = as_manager.get(reverse("leads:import_preview", args=[lead_import.pk]))
    assert ready.context["summary"]["to_add"] == INLINE_ROWS + 1
    import_all(as_manager)
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.IMPORTING
    assert not Lead.objects.exists()
    commit_import_task(lead_import.pk, lead_import.uploaded_by_id)

    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.added_count) == (ImportStatus.IMPORTED, INLINE_ROWS + 1)
    assert Lead.objects.count() == INLINE_ROWS + 1
    assert "2001" in as_manager.get(reverse("leads:import_preview", args=[lead_import.pk])).content.decode()


def test_pressing_add_twice_imports_once(as_manager, team):
    upload(as_manager, team, (HEADER + GOOD).encode())

    import_all(as_manager)
    again = import_all(as_manager)

    assert Lead.objects.count() == 2
    assert "已经导入过了" in again.content.decode()
