"""The API documentation opens in the browser from the CRM's own files, under its Content-Security-Policy."""

import json

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_makes_a_token_reads_the_docs_and_the_token_works(live_server, page: Page, csp_violations):
    team = TeamFactory(name="杭州一区")
    member(team, Role.MANAGER, username="boss")
    LeadFactory(team=team, company_name="杭州文档测试有限公司")
    outside = []
    page.on(
        "request", lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")

    page.goto(f"{live_server.url}/accounts/tokens/")
    page.fill("#token-name", "官网表单")
    page.click("button[value=issue]")
    token = page.locator("#new-token").inner_text().strip()
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Field-sales CRM API", timeout=15_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    answer = page.request.get(
        f"{live_server.url}/api/v1/pool/?team={team.pk}", headers={"Authorization": f"Bearer {token}"}
    )

    assert answer.status == 200
    assert [row["company_name"] for row in json.loads(answer.body())["results"]] == ["杭州文档测试有限公司"]
    assert csp_violations == []
    assert outside == [], "the docs need no internet"
