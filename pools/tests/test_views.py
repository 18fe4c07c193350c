import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from core.models import Notification
from core.policy import policy_for
from leads.models import Lead, LeadState
from leads.tests.factories import LeadFactory
from pools.models import RepQuota


@pytest.fixture
def pool(team):
    return LeadFactory.create_batch(100, team=team)


def test_the_allocation_page_is_for_managers_of_the_team(client, owner, manager, other_manager, qc_user, team):
    url = reverse("pools:allocation")
    for user, status in ((owner, 403), (qc_user, 403), (manager, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(other_manager)
    assert client.get(url, {"team": team.pk}).status_code == 404


def test_a_manager_sets_quotas_previews_and_confirms(client, manager, owner, teammate, team, pool):
    client.force_login(manager)
    url = reverse("pools:allocation")

    client.post(url, {"team": team.pk, "action": "quotas", f"quota-{owner.pk}": "35", f"quota-{teammate.pk}": "30"})
    assert RepQuota.objects.get(rep=owner).daily_leads == 35

    preview = client.get(url, {"team": team.pk, "preview": 1})
    assert len(preview.context["plan"].moves) == 65
    assert not Lead.objects.filter(state=LeadState.ASSIGNED).exists()

    client.post(url, {"team": team.pk, "action": "allocate"})
    assert Lead.objects.filter(owner=owner).count() == 35
    assert Lead.objects.filter(owner=teammate).count() == 30


def test_a_quota_outside_the_range_is_refused_with_a_message(client, manager, owner, team):
    client.force_login(manager)

    response = client.post(
        reverse("pools:allocation"), {"team": team.pk, "action": "quotas", f"quota-{owner.pk}": "80"}, follow=True
    )

    assert "30" in response.content.decode()
    assert not RepQuota.objects.exists()


def test_the_page_runs_the_same_queries_for_3_and_30_reps(client, manager, team, pool):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import Role
    from core.tests.factories import member

    policy = policy_for(team)
    policy.allocation_max = 47
    policy.save()
    client.force_login(manager)
    counts = []
    for size in (3, 30):
        while team.memberships.filter(role=Role.REP).count() < size:
            member(team, Role.REP)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("pools:allocation"), {"team": team.pk}).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The policy it shows and plans by comes with the manager's teams, not from reads of its own.
    assert page.count('max="47"') == 30  # each rep's quota field
    assert not [query for query in queries if 'FROM "crm_teampolicy"' in query["sql"]]


def test_notifications_show_with_an_unread_count_and_are_read_once_opened(client, owner):
    Notification.objects.create(
        user=owner, kind=Notification.Kind.ALLOCATED, params={"count": 30}, created_at="2026-11-27T00:00:00Z"
    )
    client.force_login(owner)

    assert client.get(reverse("home")).context["unread_notifications"] == 1
    page = client.get(reverse("notifications")).content.decode()
    assert "30" in page
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_the_unread_badge_counts_only_the_users_own_unread_notifications(client, owner, teammate):
    def notification(user, read_at=None):
        Notification.objects.create(
            user=user,
            kind=Notification.Kind.ALLOCATED,
            params={"count": 3},
            created_at="2026-11-27T00:00:00Z",
            read_at=read_at,
        )

    for _ in range(2):
        notification(owner)
    notification(owner, read_at="2026-11-28T00:00:00Z")
    for _ in range(3):
        notification(teammate)
    client.force_login(owner)

    def badge():
        link = re.search(r'data-testid="notifications">(.*?)</a>', client.get(reverse("home")).content.decode())
        count = re.search(r'<span class="badge text-bg-warning">(\d+)</span>', link.group(1))
        return count and int(count.group(1))

    assert badge() == 2
    client.force_login(teammate)
    assert badge() == 3
    Notification.objects.filter(user=teammate).update(read_at="2026-11-29T00:00:00Z")
    assert badge() is None  # no badge at all


def test_quotas_are_saved_all_together_or_not_at_all(client, manager, owner, teammate, team):
    """One quota out of range keeps every other quota of the form as it was, and the message names the rep."""
    RepQuota.objects.create(rep=owner, daily_leads=40)
    client.force_login(manager)

    response = client.post(
        reverse("pools:allocation"),
        {"team": team.pk, "action": "quotas", f"quota-{owner.pk}": "45", f"quota-{teammate.pk}": "99"},
        follow=True,
    )

    assert f"{teammate}：配额必须在 30 到 50 条之间" in response.content.decode()
    assert dict(RepQuota.objects.values_list("rep__username", "daily_leads")) == {"owner": 40}


def test_allocation_stops_at_the_cap_on_open_assigned_leads_and_shows_it(client, manager, owner, teammate, team, pool):
    from leads.tests.factories import owned_lead

    policy = policy_for(team)
    policy.open_assigned_cap = 40
    policy.save()
    for _ in range(35):
        owned_lead(team, owner)
    client.force_login(manager)
    url = reverse("pools:allocation")

    preview = client.get(url, {"team": team.pk, "preview": 1})
    rows = {row.rep: row for row in preview.context["plan"].reps}
    assert (rows[owner].needed, rows[owner].held_back) == (5, 25)
    assert rows[teammate].needed == 30
    page = preview.content.decode()
    assert "接近上限" in page

    client.post(url, {"team": team.pk, "action": "allocate"})
    assert Lead.objects.filter(owner=owner, state=LeadState.ASSIGNED).count() == 40


def test_each_allocation_row_shows_its_reps_quota_cap_and_preview(client, manager, owner, teammate, team, pool):
    from django.utils.html import escape

    from core.models import Role
    from core.tests.factories import member
    from leads.tests.factories import owned_lead

    policy = policy_for(team)
    policy.open_assigned_cap = 40
    policy.save()
    newcomer = member(team, Role.REP, username="zz", name="<b>新</b>")
    RepQuota.objects.create(rep=teammate, daily_leads=45)
    for _ in range(40):
        owned_lead(team, owner)
    for _ in range(5):
        owned_lead(team, teammate)
    client.force_login(manager)

    def rows(query):
        page = client.get(reverse("pools:allocation"), {"team": team.pk, **query}).content.decode()
        return dict(re.findall(r'data-testid="rep-row">\s*<td>([^<]*)</td>(.*?)</tr>', page, re.S)), page

    shown, page = rows({})
    assert 'value="30" min="30" max="50"' in shown[str(owner)]
    assert '40 <span class="badge text-bg-danger">已达上限</span>' in shown[str(owner)]
    assert f'name="quota-{teammate.pk}" value="45"' in shown[str(teammate)]
    assert '5 <span class="badge text-bg-warning">接近上限</span>' in shown[str(teammate)]
    assert 'aria-label="配额 &lt;b&gt;新&lt;/b&gt;"' in page
    assert "badge" not in shown[escape(str(newcomer))]
    assert 'data-testid="planned"' not in page

    previewed, _page = rows({"preview": 1})
    cells = r'data-testid="planned">(\d+)</td><td class="text-end" data-testid="held-back">(\d+)</td>'
    assert re.search(cells, previewed[str(owner)]).groups() == ("0", "30")
    assert re.search(cells, previewed[str(teammate)]).groups() == ("35", "10")
    assert re.search(cells, previewed[escape(str(newcomer))]).groups() == ("30", "0")


def test_confirm_is_disabled_when_the_plan_hands_out_nothing(client, manager, owner, team):
    client.force_login(manager)

    page = client.get(reverse("pools:allocation"), {"team": team.pk, "preview": 1}).content.decode()

    assert 'type="submit" disabled aria-describedby="nothing-to-allocate"' in page
    assert "没有可分配的线索" in page


def test_assigning_says_one_lead_and_keeps_the_filters(client, manager, owner, teammate, team):
    from leads.tests.factories import owned_lead

    lead = LeadFactory(team=team, company_name="杭州单条公司")
    theirs = owned_lead(team, teammate, company_name="杭州调走公司")
    client.force_login(manager)
    filters = f"team={team.pk}&state=public&q=杭州"

    with translation.override("en"):
        client.cookies["django_language"] = "en"
        response = client.post(
            reverse("pools:assign"), {"team": team.pk, "rep": owner.pk, "leads": [lead.pk], "filters": filters}
        )
        said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [f"1 lead assigned to {owner}."]
    assert response.url.startswith(reverse("pools:team"))
    assert "state=public" in response.url
    assert "q=%E6%9D%AD%E5%B7%9E" in response.url

    refused = client.post(reverse("pools:assign"), {"team": team.pk, "rep": owner.pk, "leads": [theirs.pk]})
    said = [str(message) for message in get_messages(refused.wsgi_request)]
    assert any("Say why" in message or "请说明原因" in message for message in said)
    theirs.refresh_from_db()
    assert theirs.owner == teammate


def test_team_leads_are_searched_by_company_or_whole_phone(client, manager, owner, team):
    from leads.tests.factories import owned_lead

    owned_lead(team, owner, company_name="杭州甲乙丙有限公司", phone="13900001111", phone_key="13900001111")
    owned_lead(team, owner, company_name="上海丁戊有限公司", phone="13900002222", phone_key="13900002222")
    client.force_login(manager)

    def found(search):
        return [lead.company_name for lead in client.get(reverse("pools:team"), {"q": search}).context["page"]]

    assert found("甲乙") == ["杭州甲乙丙有限公司"]
    assert found("139-0000-2222") == ["上海丁戊有限公司"]
    assert found("没有这家") == []


def test_each_row_of_team_leads_is_the_leads_own_in_the_managers_language(client, manager, owner, team):
    """The rows come from one stencil, filled with each lead's own values, escaped, in the manager's language; the
    time left only on an assigned lead, a dash for a lead nobody owns."""
    from leads.tests.factories import owned_lead

    mine = owned_lead(team, owner, company_name="<甲>&乙")
    public = LeadFactory(team=team, state=LeadState.PUBLIC, company_name="丙公司")
    client.force_login(manager)

    chinese = client.get(reverse("pools:team")).content.decode()
    english = client.get(reverse("pools:team"), headers={"accept-language": "en"}).content.decode()

    row = re.search(rf'value="{mine.pk}" aria-label="&lt;甲&gt;&amp;乙">.*?</tr>', english, re.S).group(0)
    assert f'<a href="/leads/{mine.pk}/">&lt;甲&gt;&amp;乙</a>' in row
    assert f"<td>Assigned</td>\n      <td>{owner}</td>" in row
    assert "left</span>" in row
    row = re.search(rf'value="{public.pk}" aria-label="丙公司">.*?</tr>', english, re.S).group(0)
    assert "<td>Public pool</td>\n      <td>—</td>\n      <td></td>" in row
    assert f"<td>已分配</td>\n      <td>{owner}</td>" in chinese
    assert "Assigned" not in chinese
    by_owner = client.get(reverse("pools:team"), {"owner": owner.pk}).content.decode()
    assert f'<option value="{owner.pk}" selected>{owner}</option>' in by_owner
    assert " selected>" not in chinese.split('name="owner"')[1].split("</select>")[0]


def test_team_leads_show_timers_by_the_teams_own_policy_read_with_the_team(client, manager, owner, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy = policy_for(team)
    policy.follow_up_hours = 30
    policy.save()
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pools:team"))

    assert response.context["policy"].follow_up_hours == 30
    assert not [query for query in queries if 'FROM "crm_teampolicy"' in query["sql"]]
