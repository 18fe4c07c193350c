"""A manager's morning at the office screen: the briefing fits at 1024 and 1366 px and each number opens its list."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.axe import page_problems, sign_in
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.reclaim import reclaim_overdue
from visits.tests.factories import visits_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_morning_briefing_leads_to_the_lists_behind_its_numbers(live_server, page: Page, width, time_machine):
    team = TeamFactory(name="杭州一区")
    walker = member(team, Role.REP, username="walker")
    slacker = member(team, Role.REP, username="slacker")
    member(team, Role.MANAGER, username="boss")
    now = timezone.now()
    yesterday = timezone.localdate() - timedelta(days=1)
    yesterday_noon = datetime.combine(yesterday, time(12), tzinfo=ZoneInfo(team.time_zone))
    visits_for(walker, team, yesterday, in_person=8, effective=2)
    LeadFactory.create_batch(5, team=team)
    time_machine.move_to(yesterday_noon - timedelta(days=3), tick=False)
    owned_lead(team, slacker, company_name="杭州被收回有限公司")
    time_machine.move_to(yesterday_noon, tick=False)
    reclaim_overdue()  # its first follow-up was due a day before
    time_machine.move_to(now, tick=True)
    page.set_viewport_size({"width": width, "height": 768})

    sign_in(page, live_server.url, "boss", PASSWORD)

    briefing = page.get_by_test_id("briefing")
    expect(briefing.get_by_test_id("yesterday-visits")).to_contain_text("8")
    expect(briefing.get_by_test_id("missed")).to_contain_text(str(slacker))
    expect(briefing.get_by_test_id("reclaimed")).to_have_text("1")
    assert page_problems(page) == []

    briefing.get_by_test_id("reclaimed").click()
    expect(page.get_by_test_id("reclaimed-filter")).to_be_visible()
    expect(page.get_by_role("link", name="杭州被收回有限公司")).to_be_visible()
    assert page_problems(page) == []

    page.go_back()
    page.get_by_test_id("yesterday-visits").click()
    expect(page.get_by_test_id("meeting-row").filter(has_text=str(walker)).locator("td").nth(1)).to_have_text("8")
