"""The public pool at the size of a big team: searching a two-character Chinese fragment through an index, and
counts estimated once exact counting would cost more than the page."""

import pytest
from django.db import connection
from django.urls import reverse

from leads.models import Lead
from leads.tests.factories import LeadFactory
from pools.selectors import name_has_bigrams_of, public_pool

pytestmark = pytest.mark.postgres


def test_a_two_character_fragment_is_found_through_the_name_index(owner, team):
    LeadFactory(team=team, company_name="杭州星河餐饮有限公司")
    LeadFactory(team=team, company_name="杭州河星商贸有限公司")  # the same characters, not the fragment
    LeadFactory(team=team, company_name="ＸＩＮＧ星河科技")  # full-width letters before it
    pool = public_pool(team, search="星河")

    assert sorted(pool.values_list("company_name", flat=True)) == ["杭州星河餐饮有限公司", "ＸＩＮＧ星河科技"]
    # The condition the pool filters by is the very expression the index was built on.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # on three rows the planner would read the table anyway
        sql, params = Lead.objects.filter(name_has_bigrams_of("星河")).values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "lead_name_search" in plan


def test_a_long_pool_says_about_how_many_instead_of_counting_them_all(client, owner, team, monkeypatch):
    monkeypatch.setattr("core.paging.EXACT_UP_TO", 5)
    LeadFactory.create_batch(40, team=team)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    client.force_login(owner)

    response = client.get(reverse("pools:pool"))

    assert response.context["page"].paginator.is_estimate
    assert "约" in response.content.decode()
    assert len(response.context["page"]) == 25


def test_a_short_pool_is_counted_exactly(client, owner, team):
    LeadFactory.create_batch(3, team=team)
    client.force_login(owner)

    response = client.get(reverse("pools:pool"))

    assert not response.context["page"].paginator.is_estimate
    assert response.context["page"].paginator.count == Lead.objects.filter(team=team).count() == 3
