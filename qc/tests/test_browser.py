from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import owned_lead
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qc_draws_audits_and_records_a_falsified_visit_in_the_browser(live_server, page: Page):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    member(team, Role.QC, username="checker")
    yesterday = timezone.localdate() - timedelta(days=1)
    lead = owned_lead(team, rep, company_name="杭州被核查有限公司", contact_name="赵老板")
    Visit.objects.create(
        rep=rep,
        team=team,
        lead=lead,
        company_name=lead.company_name,
        day=yesterday,
        occurred_at=timezone.now() - timedelta(days=1),
        entered_at=timezone.now() - timedelta(days=1),
        person_met="赵老板",
        person_role="owner",
        outcome="effective",
        next_step="签约",
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "checker")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit].w-100")
    expect(page.get_by_test_id("queue-size")).to_have_text("0")

    page.goto(f"{live_server.url}/qc/draws/")
    page.fill("input[name=day]", yesterday.isoformat())
    page.get_by_role("button", name="抽样", exact=True).click()
    expect(page.get_by_test_id("draw-row")).to_have_count(1)

    page.goto(f"{live_server.url}/qc/")
    page.get_by_role("link", name="杭州被核查有限公司").click()
    expect(page.get_by_text("赵老板").first).to_be_visible()
    page.check("input[name=outcome][value=falsified]")
    page.fill("textarea[name=notes]", "客户说当天没人来过")
    page.check("input[name=confirm_falsified]")
    page.click("form.card button[type=submit]")

    expect(page.get_by_test_id("queue-size")).to_have_text("0")
    page.goto(f"{live_server.url}/qc/incidents/")
    expect(page.get_by_test_id("incident")).to_contain_text("杭州被核查有限公司")
    page.wait_for_load_state("networkidle")
