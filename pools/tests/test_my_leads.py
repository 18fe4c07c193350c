"""My leads: the lead taken back soonest first, filters and search, a page at a time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.policy import policy_for
from leads.models import LeadState
from leads.tests.factories import owned_lead
from pools.selectors import rep_leads_by_urgency


@pytest.fixture
def a_rep_s_leads(team, owner, teammate):
    """Five leads of `owner` whose reclaim times are 2 h, 20 h, 2 days, 3 days and 30 days away, and a colleague's."""
    now = timezone.now()
    policy = policy_for(team)
    policy.private_idle_days = 30
    policy.save()
    hours = timedelta(hours=1)
    days = timedelta(days=1)
    return {
        "due_in_20_hours": owned_lead(
            team, owner, company_name="甲 20h", follow_up_deadline=now + 20 * hours, resolve_deadline=now + 7 * days
        ),
        # Followed up already: its passed follow-up deadline no longer applies, its resolve deadline does.
        "followed_up": owned_lead(
            team,
            owner,
            company_name="乙 3d",
            follow_up_deadline=now - days,
            last_follow_up_at=now - 2 * days,
            resolve_deadline=now + 3 * days,
        ),
        "due_in_2_hours": owned_lead(
            team, owner, company_name="丙 2h", follow_up_deadline=now + 2 * hours, resolve_deadline=now + 7 * days
        ),
        "idle_28_days": owned_lead(
            team,
            owner,
            state=LeadState.PRIVATE,
            company_name="丁 private",
            private_since=now - 28 * days,
            phone="13900001111",
        ),
        "fresh_private": owned_lead(team, owner, state=LeadState.PRIVATE, company_name="戊 private"),
        "colleague_s": owned_lead(team, teammate, company_name="己 colleague", follow_up_deadline=now + hours),
    }


def test_a_rep_s_leads_come_in_the_order_they_would_be_taken_back(owner, team, a_rep_s_leads):
    order = [lead.company_name for lead in rep_leads_by_urgency(owner, policy_for(team))]

    assert order == ["丙 2h", "甲 20h", "丁 private", "乙 3d", "戊 private"]


def test_my_leads_filters_by_state_and_searches_company_and_phone(client, owner, a_rep_s_leads):
    client.force_login(owner)
    url = reverse("pools:mine")

    def shown(**query):
        return [lead.company_name for lead in client.get(url, query).context["page"]]

    assert shown(state="private") == ["丁 private", "戊 private"]
    assert shown(state="assigned") == ["丙 2h", "甲 20h", "乙 3d"]
    assert shown(q="private") == ["丁 private", "戊 private"]
    assert shown(q="139-0000-1111") == ["丁 private"]
    assert shown(q="colleague") == []
    assert "没有符合条件的线索" in client.get(url, {"q": "nothing like it"}).content.decode()
    assert client.get(url, {"state": "public"}).status_code == 200  # an unknown state shows everything, not a 500


def test_my_leads_says_when_a_private_lead_goes_back_and_keeps_the_counts(client, owner, a_rep_s_leads):
    client.force_login(owner)

    page = client.get(reverse("pools:mine"), {"state": "private"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "back to the pool in 1\xa0day, 23\xa0hours" in page
    assert 'data-testid="assigned-count">3<' in page
    assert "2 / " in page


def test_my_leads_is_paged_so_a_phone_never_scrolls_through_hundreds(client, owner, team):
    for number in range(60):
        owned_lead(team, owner, company_name=f"公司{number:02d}")
    client.force_login(owner)

    first = client.get(reverse("pools:mine"))
    last = client.get(reverse("pools:mine"), {"page": 3, "state": "assigned"})

    assert len(first.context["page"]) == 25
    assert "page=2" in first.content.decode()
    assert len(last.context["page"]) == 10
    assert "state=assigned&amp;page=2" in last.content.decode()


def test_each_row_of_my_leads_is_the_leads_own_whichever_rep_opens_the_page_first(
    client, owner, teammate, team, time_machine
):
    """The rows come from stencils written once per language and kind of row: what fills them is each lead's own,
    escaped, with the day of the last follow-up in the team's time zone."""
    time_machine.move_to("2026-11-27 07:00:00+08:00", tick=False)
    since = timezone.now() - timedelta(days=28)  # 2026-10-30 07:00 in Shanghai, still the 29th in UTC
    kept = owned_lead(team, owner, state=LeadState.PRIVATE, company_name="<丁>店", phone="139-0000-1111")
    kept.private_since = since
    kept.save()
    assigned = owned_lead(team, owner, company_name="甲&乙", contact_name="王<总>", phone="")
    owned_lead(team, teammate, company_name="己 colleague", phone="13800002222")

    client.force_login(teammate)
    first = client.get(reverse("pools:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(owner)
    own = client.get(reverse("pools:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "己 colleague" in first
    assert 'href="tel:13800002222"' in first
    assert "己 colleague" not in own
    assert f'<a href="/leads/{kept.pk}/" class="fw-semibold text-break">&lt;丁&gt;店</a>' in own
    assert '<a href="tel:13900001111">139-0000-1111</a>' in own
    assert "last follow-up: 10/30/2026" in own
    assert f'<a href="/leads/{assigned.pk}/" class="fw-semibold text-break">甲&amp;乙</a>' in own
    assert "王&lt;总&gt; " in own
    assert f'href="/leads/{assigned.pk}/keep/">Keep</a>' in own
    assert f'href="/leads/{kept.pk}/keep/"' not in own  # already kept
    assert own.count('href="tel:') == 1
