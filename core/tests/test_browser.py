import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from devtools import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_rep_logs_in_on_a_phone_and_switches_language(live_server, page: Page):
    call_command("seed_demo", verbosity=0)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("hz01")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_test_id("greeting")).to_contain_text("你好")
    expect(page.get_by_role("heading", name="今日目标")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="English").click()
    expect(page.get_by_test_id("greeting")).to_contain_text("Hello")
    expect(page.get_by_role("heading", name="Today's targets")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_test_id("greeting")).to_contain_text("你好")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.wait_for_load_state("networkidle")
