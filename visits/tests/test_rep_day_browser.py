"""A rep's whole day on a phone, counted in taps: the evening entry of the day's visits, a cold visit and its
duplicate, tomorrow's plan in one submit; then the manager's evening meeting shows what counted.

A tap is a click, a tick or a choice of a button; choosing from a drop-down list is two (open it, pick); typing a
field is one tap to reach it (the typing itself is not counted). The README's before/after table comes from here."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import owned_lead
from visits.models import Visit, VisitPlan
from visits.services.plans import plan_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Taps:
    """Does what the rep does on the page, and counts the taps it takes."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def tap(self, locator) -> None:
        locator.click()
        self.count += 1

    def choose(self, select: str, value: str) -> None:
        self.page.select_option(select, value)
        self.count += 2

    def type(self, locator, text: str) -> None:
        locator.fill(text)
        self.count += 1


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    page.wait_for_url(f"{url}/")


def test_a_rep_logs_the_day_in_the_evening_and_plans_tomorrow_in_one_go(live_server, page: Page, browser, time_machine):
    # 20:30 in Hangzhou on the day the test runs: the evening entry, before the 23:00 cut-off.
    evening = datetime.now(SHANGHAI).replace(hour=20, minute=30, second=0, microsecond=0)
    time_machine.move_to(evening, tick=True)
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    member(team, Role.MANAGER, username="boss")
    todays = [owned_lead(team, rep, company_name=f"杭州今日{number}有限公司") for number in range(7)]
    plan_visits(actor=rep, leads=todays, day=evening.date())
    tomorrows = [
        owned_lead(team, rep, company_name=f"杭州明日{number}有限公司", district="西湖区", building=f"{number % 3}号楼")
        for number in range(8)
    ]
    sign_in(page, live_server.url, "walker")
    plan = page.locator("section[aria-labelledby=plan-heading]")
    progress = page.get_by_test_id("visit-progress")

    # The evening batch: the day's seven planned visits, two of them effective.
    taps = Taps(page)
    per_visit = []
    for number in range(7):
        before = taps.count
        taps.tap(plan.get_by_test_id("log-row").first)
        taps.tap(page.locator("#when-choices label").nth(1 if number < 4 else 2))  # this morning / this afternoon
        if number < 2:
            taps.choose("select[name=person_role]", "owner")
            taps.tap(page.locator("label[for=id_outcome_0]"))
            taps.type(page.locator("input[name=next_step]"), "下周带报价再来")
        taps.tap(page.locator("#visit-form button[type=submit]"))
        expect(progress).to_have_text(f"{number + 1} / 8")
        per_visit.append(taps.count - before)
    assert per_visit == [7, 7, 3, 3, 3, 3, 3]

    # A cold visit while sweeping a building, then the same company again by mistake.
    before = taps.count
    taps.tap(page.get_by_test_id("log-visit"))
    taps.tap(page.locator("label[for=id_kind_1]"))
    taps.type(page.locator("input[name=company_name]"), "杭州扫楼新发现有限公司")
    taps.type(page.locator("input[name=phone]"), "13500001111")
    taps.type(page.locator("input[name=building]"), "华润大厦")
    taps.tap(page.locator("#visit-form button[type=submit]"))
    expect(progress).to_have_text("8 / 8")
    expect(page.get_by_test_id("effective-progress")).to_contain_text("2 / 2")
    expect(page.get_by_test_id("targets-met")).to_be_visible()
    assert taps.count - before == 6

    taps.tap(page.get_by_test_id("log-another"))
    expect(page.locator("input[name=building]")).to_have_value("华润大厦")
    taps.type(page.locator("input[name=company_name]"), "杭州扫楼新发现有限公司")
    expect(page.locator("#repeat-warning")).to_be_visible()
    taps.tap(page.locator("#visit-form button[type=submit]"))
    expect(page.get_by_role("alert").filter(has_text="只有第一次计入")).to_be_visible()
    expect(progress).to_have_text("8 / 8")
    expect(page.get_by_test_id("not-counted")).to_have_count(1)
    evening_taps = taps.count

    # Tomorrow's plan: eight leads ticked, grouped by building, one submit.
    taps = Taps(page)
    taps.tap(page.get_by_role("link", name="安排明天的计划"))
    for lead in tomorrows:
        taps.tap(page.get_by_label(lead.company_name))
    taps.tap(page.get_by_role("button", name="添加勾选的线索"))
    expect(page.get_by_test_id("plan-count")).to_have_text("8")
    plan_taps = taps.count
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    assert Visit.objects.filter(rep=rep).count() == 9
    assert VisitPlan.objects.filter(rep=rep).exclude(day=evening.date()).count() == 8
    assert (evening_taps, plan_taps) == (38, 10)

    # The evening meeting counts what counted: 8 in-person visits, 2 effective.
    manager_page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    sign_in(manager_page, live_server.url, "boss")
    manager_page.goto(f"{live_server.url}{reverse('reports:meeting')}")
    row = manager_page.get_by_test_id("meeting-row").filter(has_text=str(rep))
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("8")
    expect(cells.nth(2)).to_have_text("2")
    expect(row.get_by_text("达成")).to_be_visible()
    manager_page.close()
