from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from devtools import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_manager_sees_the_dashboard_charts_drawn(live_server, page: Page, csp_violations):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "manager1")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    page.goto(f"{live_server.url}/dashboard/")

    for name in ("funnel", "visits", "compliance", "pool", "revenue", "ranking"):
        expect(page.locator(f"#chart-{name}")).to_have_attribute("data-drawn", "true")
    # Something was painted: the canvas is not blank.
    painted = page.evaluate(
        """() => { const c = document.getElementById('chart-visits');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert painted > 1000
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    page.wait_for_load_state("networkidle")
    # The charts, the admin and a lead's page run under the strict policy without a single refusal.
    page.goto(f"{live_server.url}/admin/leads/lead/")
    page.goto(f"{live_server.url}/leads/team/")
    page.get_by_role("link").filter(has_text="公司").first.click()
    page.wait_for_load_state("networkidle")
    assert csp_violations == []
