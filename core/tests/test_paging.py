"""Pages deep in a long list read their rows' ids first; they must show the very rows, in the very order, that a
plain read of the list would."""

import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead, LeadState
from leads.tests.factories import LeadFactory


def test_a_deep_page_of_team_leads_shows_the_rows_of_the_plain_order_and_filters(
    client, manager, owner, team, other_team, monkeypatch
):
    monkeypatch.setattr("core.paging.IDS_FIRST_FROM", 50)
    leads = LeadFactory.create_batch(130, team=team) + LeadFactory.create_batch(30, team=other_team)
    now = timezone.now()
    shuffled = random.Random(7).sample(leads, len(leads))  # updated in another order than created
    for minutes, lead in enumerate(shuffled):
        lead.updated_at = now - timedelta(minutes=minutes % 40)  # and many at the same minute: the id breaks ties
        lead.state = LeadState.ASSIGNED if minutes % 3 == 0 else LeadState.PUBLIC
        lead.owner = owner if lead.state == LeadState.ASSIGNED else None
    Lead.objects.bulk_update(leads, ["updated_at", "state", "owner"])
    client.force_login(manager)
    url = reverse("pools:team")

    for query, rows in (({"page": 3}, slice(50, 75)), ({"page": 3, "state": "public"}, slice(50, 75))):
        expected = Lead.objects.filter(team=team, **({"state": query["state"]} if "state" in query else {}))
        expected_ids = list(expected.order_by("-updated_at", "-pk").values_list("pk", flat=True)[rows])
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, {"team": team.pk, **query})
        assert [lead.pk for lead in page.context["page"]] == expected_ids
        html = page.content.decode()
        names = [Lead.objects.get(pk=pk).company_name for pk in expected_ids]
        assert sorted(names, key=html.index) == names
        assert any("IN (SELECT" in statement["sql"] for statement in queries.captured_queries)

    first = client.get(url, {"team": team.pk})
    plain = list(Lead.objects.filter(team=team).order_by("-updated_at", "-pk").values_list("pk", flat=True)[:25])
    assert [lead.pk for lead in first.context["page"]] == plain
