"""Random JSON into every API endpoint: whatever arrives, the answer is JSON and never a 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.throttling import TokenRateThrottle
from api.tokens import issue_token
from core.tests.test_random_input import TEXT
from leads.tests.factories import LeadFactory, owned_lead

VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)
NAMES = st.sampled_from(
    [
        "company_name",
        "phone",
        "team",
        "lead",
        "cold",
        "mode",
        "person_role",
        "outcome",
        "occurred_at",
        "latitude",
        "longitude",
        "accuracy",
        "reason",
        "note",
        "rep",
        "give_back",
        "contract",
        "amount",
        "received_on",
        "method",
        "priority",
        "day",
        "week",
        "state",
        "search",
        "cursor",
        "page_size",
        "day_from",
        "updated_after",
    ]
)
BODIES = st.one_of(st.dictionaries(NAMES, VALUE, max_size=8), VALUE)
EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def as_server():
    return Client(raise_request_exception=False)


def calls(client, token, url, body):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": str(body)[:40]}
    params = {str(key): str(value) for key, value in body.items()} if isinstance(body, dict) else {}
    yield client.get(url, params, **auth)
    yield client.post(url, json.dumps(body), content_type="application/json", **auth)


@pytest.fixture
def tokens(owner, manager, monkeypatch):
    # The allowance would answer most of these calls 429 before they reach a view; this test is about the views.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    # Made once: the examples share the test's database rows.
    return {user.username: issue_token(actor=user, name="random")[1] for user in (owner, manager)}


@EXAMPLES
@given(body=BODIES)
def test_no_body_or_parameter_makes_the_api_answer_500(as_server, owner, team, tokens, body):
    lead = owned_lead(team, owner)
    public = LeadFactory(team=team)
    urls = [
        reverse("api:lead-list"),
        reverse("api:lead-detail", args=[lead.pk]),
        reverse("api:lead-claim", args=[public.pk]),
        reverse("api:lead-keep", args=[lead.pk]),
        reverse("api:lead-return", args=[lead.pk]),
        reverse("api:lead-close", args=[lead.pk]),
        reverse("api:lead-assign", args=[lead.pk]),
        reverse("api:pool-list"),
        reverse("api:visit-list"),
        reverse("api:contract-list"),
        reverse("api:payment-list"),
        reverse("api:pipeline"),
        reverse("api:meeting"),
        reverse("api:compliance"),
    ]
    for username, text in tokens.items():
        for url in urls:
            for response in calls(as_server, text, url, body):
                assert response.status_code < 500, (username, url, body, response.status_code)
                assert response.status_code != 429
                assert response["Content-Type"].startswith("application/json"), (url, response.status_code)
