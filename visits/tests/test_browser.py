import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import owned_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "button", "met"), [("zh-hans", "简体中文", "达成"), ("en", "English", "met")])
def test_a_rep_logs_eight_visits_on_a_phone_and_meets_both_targets(
    live_server, page: Page, language, button, met, csp_violations
):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    leads = [owned_lead(team, rep, company_name=f"杭州拜访{number}有限公司") for number in range(7)]

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=button).click()
    page.fill("input[name=username]", "walker")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    expect(page.get_by_test_id("visit-progress")).to_have_text("0 / 8")

    for number, lead in enumerate(leads):
        page.get_by_test_id("log-visit").click()
        page.select_option("select[name=lead]", str(lead.pk))
        if number < 2:
            page.select_option("select[name=person_role]", "owner")
            page.check("input[name=outcome][value=effective]")
            page.fill("input[name=next_step]", "下周带报价再来")
        page.fill("input[name=person_met]", "王总")
        page.click("#visit-form button[type=submit]")
        expect(page.get_by_test_id("visit-progress")).to_have_text(f"{number + 1} / 8")

    page.get_by_test_id("log-visit").click()
    page.check("input[name=kind][value=cold]")
    page.fill("input[name=company_name]", "杭州扫楼新发现有限公司")
    page.fill("input[name=phone]", "13500001111")
    page.fill("input[name=building]", "华润大厦")
    page.click("#visit-form button[type=submit]")

    expect(page.get_by_test_id("visit-progress")).to_have_text("8 / 8")
    expect(page.get_by_test_id("effective-progress")).to_contain_text("2 / 2")
    expect(page.get_by_test_id("targets-met")).to_have_text(met)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.wait_for_load_state("networkidle")
    assert csp_violations == []
