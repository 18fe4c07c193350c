"""A phone in a basement: the visit form opens without signal, entries wait on the phone, and each arrives once."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.axe import page_problems, sign_in
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import owned_lead
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page: Page, script: str, seconds: float = 10) -> None:
    """Poll an async check in the page (evaluated by the driver, so the page's CSP allows it)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        time.sleep(0.1)


def test_visits_logged_without_signal_arrive_once_when_it_returns(live_server, browser):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    leads = [owned_lead(team, rep, company_name=f"杭州地下{number}有限公司") for number in range(3)]
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page: Page = context.new_page()
    sign_in(page, live_server.url, "walker", PASSWORD)
    page.goto(f"{live_server.url}/visits/new/")  # online once: the form and its files are kept
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # the first page was loaded before the worker was there; this one goes through it
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    wait_until(page, "async () => (await (await caches.open('crm-pages')).keys()).length === 2")

    context.set_offline(True)
    page.goto(f"{live_server.url}/visits/new/")
    for lead in leads:
        page.select_option("select[name=lead]", str(lead.pk))
        page.click("#visit-form button[type=submit]")
        expect(page.locator("#saved-on-phone")).to_be_visible()
    expect(page.get_by_test_id("offline-indicator")).to_contain_text("3")
    assert page_problems(page) == []
    assert Visit.objects.count() == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("offline-indicator")).to_be_hidden(timeout=10_000)
    assert Visit.objects.filter(rep=rep).count() == 3
    assert Visit.objects.exclude(client_id=None).count() == 3

    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("visit-progress")).to_have_text("3 / 8")
    page.evaluate("() => window.crmQueue.send()")  # sending again sends nothing
    assert Visit.objects.count() == 3

    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_test_id("who").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(lambda url: "/accounts/" in url or url.endswith("/"))
    page.goto(f"{live_server.url}/accounts/login/")
    wait_until(page, "async () => !(await caches.has('crm-pages'))")
    context.close()


def test_an_entry_sent_back_to_fix_opens_in_the_form_as_it_was(live_server, browser):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    lead = owned_lead(team, rep, company_name="杭州要补充公司")
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page: Page = context.new_page()
    sign_in(page, live_server.url, "walker", PASSWORD)
    page.goto(f"{live_server.url}/visits/new/")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    wait_until(page, "() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.select_option("select[name=lead]", str(lead.pk))
    page.check("input[name=outcome][value=effective]")  # effective, but with staff met: the server will say so
    page.click("#visit-form button[type=submit]")
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    indicator = page.get_by_test_id("offline-indicator")
    expect(indicator).to_contain_text("有效拜访", timeout=10_000)

    indicator.get_by_role("link", name="在表单中修改").click()
    expect(page.locator("input[name=outcome][value=effective]")).to_be_checked()
    expect(page.locator("select[name=lead]")).to_have_value(str(lead.pk))
    page.select_option("select[name=person_role]", "owner")
    page.fill("input[name=next_step]", "下周带合同")
    page.click("#visit-form button[type=submit]")

    expect(page.get_by_test_id("effective-progress")).to_contain_text("1 /")
    expect(page.get_by_test_id("offline-indicator")).to_be_hidden()
    assert Visit.objects.get().outcome == "effective"
    context.close()
