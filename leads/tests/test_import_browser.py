import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.models import LeadImport
from leads.services.transfer import INLINE_ROWS
from leads.tasks import check_import_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_file_shows_its_progress_and_then_its_result_without_a_reload(
    live_server, page: Page, tmp_path, csp_violations
):
    team = TeamFactory(name="杭州一区")
    member(team, Role.MANAGER, username="boss")
    rows = "".join(f"杭州进度{number:05d}公司,139{number:08d}\r\n" for number in range(INLINE_ROWS + 1))
    file = tmp_path / "名单.csv"
    file.write_bytes(("公司名称,手机\r\n" + rows).encode())
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    page.goto(f"{live_server.url}/leads/import/")
    page.set_input_files("input[name=file]", str(file))
    page.click("main form button[type=submit]")

    meter = page.get_by_role("progressbar")
    expect(meter).to_have_attribute("aria-valuenow", "0")
    lead_import = LeadImport.objects.get()
    LeadImport.objects.filter(pk=lead_import.pk).update(rows_done=1000)  # the worker half way
    expect(meter).to_have_attribute("aria-valuenow", "49", timeout=10_000)
    expect(page.get_by_test_id("import-status")).to_contain_text("2001 行中的 1000 行")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    check_import_task(lead_import.pk)  # the worker finishes the check

    expect(page.get_by_test_id("to-add")).to_have_text(str(INLINE_ROWS + 1), timeout=10_000)
    assert csp_violations == []
