"""Every page a manager or QC uses passes axe-core's serious and critical checks and fits the screen, on a phone and
on the office screens (1024 and 1366 px), in Chinese and in English."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from core.models import Role
from core.tests.axe import page_problems, sign_in
from core.tests.factories import PASSWORD, TeamFactory, member
from deals.services import add_proposal, confirm_need, record_payment, sign_contract
from hooks.models import Delivery, GroupChat, Subscription
from leads.tests.factories import LeadFactory, owned_lead
from qc.models import Sample
from qc.services import draw_sample
from visits.models import Visit
from visits.services.entry import log_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (375, 812), "small office screen": (1024, 768), "office screen": (1366, 768)}


def a_team_with_a_day_behind_it():
    team = TeamFactory(name="杭州一区")
    rep = member(team, Role.REP, username="walker")
    member(team, Role.MANAGER, username="boss")
    qc = member(team, Role.QC, username="checker")
    LeadFactory.create_batch(3, team=team)
    yesterday = timezone.localdate() - timedelta(days=1)
    lead = owned_lead(team, rep, company_name="杭州被核查有限公司", contact_name="赵老板", phone="13912340000")
    for number in range(3):
        Visit.objects.create(
            rep=rep,
            team=team,
            lead=lead if number == 0 else None,
            company_name=f"杭州拜访{number}有限公司",
            day=yesterday,
            occurred_at=timezone.now() - timedelta(days=1),
            entered_at=timezone.now() - timedelta(days=1),
            person_met="赵老板",
            person_role="owner",
            outcome="effective",
            next_step="签约",
        )
    deal = owned_lead(team, rep, company_name="杭州签约有限公司")
    effective = {"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "报价"}
    log_visit(actor=rep, lead=deal, values=effective)
    confirm_need(actor=rep, lead=deal, need="三家门店的收银系统")
    add_proposal(actor=rep, lead=deal, amount="36000")
    contract = sign_contract(
        actor=rep, lead=deal, number="HZ-001", amount="36000", signed_on=timezone.localdate(), term_months=12
    )
    record_payment(actor=rep, contract=contract, amount="12000", received_on=timezone.localdate(), method="bank")
    draw_sample(team=team, day=yesterday, actor=qc)
    _integrations(team)
    return team, lead, Sample.objects.first()


def _integrations(team):
    """A webhook that failed, a group chat and a message each way, for the integrations page to show."""
    boss = team.memberships.get(role=Role.MANAGER).user
    hook = Subscription.objects.create(
        team=team, url="https://erp.example.com/crm/hooks", events=["lead.claimed", "payment.received"], created_by=boss
    )
    chat = GroupChat.objects.create(
        team=team, purpose="managers", platform="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=x"
    )
    now = timezone.now()
    Delivery.objects.create(
        team=team,
        subscription=hook,
        event="lead.claimed",
        payload={},
        created_at=now,
        next_attempt_at=now,
        attempts=3,
        last_status_code=502,
        last_error="The receiver answered 502.",
    )
    Delivery.objects.create(
        team=team,
        chat=chat,
        event="chat.managers",
        payload={},
        created_at=now,
        next_attempt_at=now,
        status="delivered",
        attempts=1,
        last_status_code=200,
    )


def manager_pages(team, lead) -> dict[str, str]:
    return {
        "my teams": reverse("home"),
        "team leads": reverse("pools:team"),
        "allocation": reverse("pools:allocation"),
        "allocation preview": f"{reverse('pools:allocation')}?team={team.pk}&preview=1",
        "public pool": reverse("pools:pool"),
        "import": reverse("leads:import"),
        "collisions": reverse("leads:collisions"),
        "evening meeting": reverse("reports:meeting"),
        "dashboard": reverse("reports:dashboard"),
        "compliance": reverse("reports:compliance"),
        "pipeline": reverse("deals:pipeline"),
        "customers": reverse("deals:customers"),
        "integrity report": reverse("qc:report"),
        "qc coverage": reverse("qc:coverage"),
        "rules": reverse("policy"),
        "integrations": reverse("hooks:integrations"),
        "api tokens": reverse("api_tokens"),
        "lead": reverse("leads:detail", args=[lead.pk]),
        "visits": reverse("visits:list"),
        "notifications": reverse("notifications"),
    }


def qc_pages(sample) -> dict[str, str]:
    return {
        "audit queue": reverse("qc:queue"),
        "audit": reverse("qc:audit", args=[sample.pk]),
        "draws": reverse("qc:draws"),
        "coverage": reverse("qc:coverage"),
        "integrity report": reverse("qc:report"),
        "incidents": reverse("qc:incidents"),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_manager_and_qc_pages_pass_axe_and_fit_the_screen(live_server, page: Page, browser, size, language):
    team, lead, sample = a_team_with_a_day_behind_it()
    width, height = SIZES[size]
    problems = {}
    for username, pages in (("boss", manager_pages(team, lead)), ("checker", qc_pages(sample))):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        user_page = context.new_page()
        sign_in(user_page, live_server.url, username, PASSWORD)
        for name, url in pages.items():
            response = user_page.goto(f"{live_server.url}{url}")
            assert response.status == 200, name
            found = page_problems(user_page)
            if found:
                problems[f"{username}: {name}"] = found
        context.close()
    assert problems == {}
