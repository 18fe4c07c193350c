import pytest
from django.urls import reverse

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

    policy_for(team)
    client.force_login(manager)
    counts = []
    for size in (3, 30):
        while team.memberships.filter(role=Role.REP).count() < size:
            member(team, Role.REP)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("pools:allocation"), {"team": team.pk})
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_notifications_show_with_an_unread_count_and_are_read_once_opened(client, owner):
    Notification.objects.create(
        user=owner, kind=Notification.Kind.ALLOCATED, params={"count": 30}, created_at="2026-11-27T00:00:00Z"
    )
    client.force_login(owner)

    assert client.get(reverse("home")).context["unread_notifications"] == 1
    page = client.get(reverse("notifications")).content.decode()
    assert "30" in page
    assert client.get(reverse("home")).context["unread_notifications"] == 0


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
