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
