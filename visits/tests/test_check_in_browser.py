"""The check-in at phone size: one tap on Today's plan with the phone's position, then the entry attaches to it."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.axe import page_problems, sign_in
from core.tests.factories import PASSWORD, TeamFactory, member
from leads.tests.factories import owned_lead
from visits.models import CheckIn
from visits.services.plans import plan_visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEST_LAKE = {"latitude": 30.2593, "longitude": 120.13, "accuracy": 20}


def test_a_rep_checks_in_with_one_tap_and_the_visit_attaches(live_server, browser):
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    lead = owned_lead(team, rep, company_name="杭州门口有限公司")
    plan_visits(actor=rep, leads=[lead], day=timezone.localdate())
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", geolocation=WEST_LAKE, permissions=["geolocation"]
    )
    page: Page = context.new_page()
    sign_in(page, live_server.url, "walker", PASSWORD)

    page.get_by_test_id("check-in").click()

    expect(page.get_by_role("alert").filter(has_text="已在杭州门口有限公司签到")).to_be_visible()
    expect(page.get_by_test_id("checked-in")).to_be_visible()
    assert page_problems(page) == []
    spot = CheckIn.objects.get()
    assert (float(spot.latitude), float(spot.longitude), spot.accuracy_meters) == (30.2593, 120.13, 20)

    page.get_by_test_id("log-row").click()
    page.click("#visit-form button[type=submit]")
    expect(page.get_by_test_id("visit-progress")).to_have_text("1 / 8")
    spot.refresh_from_db()
    assert spot.visit is not None
    context.close()


@pytest.mark.usefixtures("daytime")
def test_a_rep_adds_photos_at_phone_size_and_the_same_photo_twice_is_flagged(live_server, browser, tmp_path):
    from qc.risk import risk_signals
    from visits.services.entry import log_visit
    from visits.tests.test_photos import storefront

    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    potential = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
    visits = [log_visit(actor=rep, lead=owned_lead(team, rep), values=potential).visit for _ in range(2)]
    picture = tmp_path / "IMG_2041.jpg"
    picture.write_bytes(storefront())
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page: Page = context.new_page()
    sign_in(page, live_server.url, "walker", PASSWORD)

    for visit in visits:
        page.goto(f"{live_server.url}{visit.get_absolute_url()}")
        page.set_input_files("input[name=photo]", str(picture))
        page.select_option("select[name=kind]", "storefront")
        page.get_by_role("button", name="添加照片").click()
        expect(page.get_by_role("alert").filter(has_text="照片已添加")).to_be_visible()
        expect(page.get_by_test_id("photo").locator("img")).to_be_visible()
    assert page_problems(page) == []
    context.close()

    signals = risk_signals(team, visits[0].day)
    assert all(any(s["code"] == "reused_photo" for s in signals[visit.pk]) for visit in visits)
