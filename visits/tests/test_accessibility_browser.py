"""Every page a rep uses passes axe-core's serious and critical checks and fits the screen, on a phone and on a
desktop, in Chinese and in English."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from core.models import Role
from core.tests.axe import blocking_violations
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.models import LeadState
from leads.tests.factories import LeadFactory, owned_lead
from visits.services.entry import log_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 768}}


def rep_pages(team, rep) -> dict[str, str]:
    lead = owned_lead(team, rep, company_name="杭州无障碍测试有限公司", building="华润大厦", district="西湖区")
    owned_lead(team, rep, state=LeadState.PRIVATE, company_name="杭州私海测试有限公司")
    LeadFactory.create_batch(3, team=team)
    visit = log_visit(actor=rep, lead=lead, values={**POTENTIAL, "notes": "前台接待"}).visit
    return {
        "today": reverse("home"),
        "log a visit": reverse("visits:log"),
        "cold visit in a building": f"{reverse('home')}?building=华润大厦",
        "visits": reverse("visits:list"),
        "visit": reverse("visits:detail", args=[visit.pk]),
        "plan": reverse("visits:plan"),
        "my leads": reverse("pools:mine"),
        "public pool": reverse("pools:pool"),
        "lead": reverse("leads:detail", args=[lead.pk]),
        "keep": reverse("pools:keep", args=[lead.pk]),
        "close": reverse("leads:close", args=[lead.pk]),
        "new lead": reverse("leads:create"),
        "notifications": reverse("notifications"),
        "incidents": reverse("qc:incidents"),
        "password": reverse("password_change"),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rep_pages_pass_axe_and_fit_the_screen(live_server, page: Page, size, language):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    pages = rep_pages(team, rep)
    page.set_viewport_size(SIZES[size])
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"{live_server.url}{reverse('login')}")
    problems = {"login": blocking_violations(page)}
    page.fill("input[name=username]", "walker")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    page.wait_for_url(f"{live_server.url}/")

    for name, url in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, name
        problems[name] = blocking_violations(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems[name].append(f"{overflow}px wider than the screen")

    assert {name: found for name, found in problems.items() if found} == {}
    assert failed == []  # the favicon included
