"""Random Unicode into the main forms and addresses: whatever arrives, the answer is never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.tests.factories import LeadFactory, owned_lead

# Text as hostile users type it: any Unicode (controls and NUL included), plus the inputs that once made a 500.
NASTY = st.sampled_from(
    ["²", "٣", "0001-01-01", "9999-12-31", "2026-02-30", "1e12", "-1", "NaN", "inf", "\x00", "㍿" * 120]
)
TEXT = st.one_of(NASTY, st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
FIELDS = st.dictionaries(
    st.sampled_from(
        [
            "company_name",
            "contact_name",
            "phone",
            "second_phone",
            "priority",
            "kind",
            "lead",
            "mode",
            "person_role",
            "outcome",
            "next_step",
            "notes",
            "occurred_at",
            "latitude",
            "longitude",
            "accuracy",
            "building",
            "reason",
            "note",
            "win",
            "difficulty",
            "day",
            "purpose",
            "remove",
            "team",
            "q",
            "area",
            "industry",
            "state",
            "owner",
            "due_within_hours",
            "page",
            "week",
            "start",
            "end",
            "csv",
            "rep",
            "amount",
            "number",
            "signed_on",
            "term_months",
            "received_on",
            "method",
            "to_stage",
            "need",
            "action",
            "format",
            "xlsx",
            "url",
            "events",
            "platform",
            "purpose",
            "secret",
            "summary_time",
            "id",
            "name",
        ]
    ),
    TEXT,
    max_size=8,
)
EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def as_server():
    return Client(raise_request_exception=False)


def assert_no_server_error(client, url, data):
    for response in (client.get(url, data), client.post(url, data)):
        assert response.status_code < 500, (url, data, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)  # a download fails while it streams, not before


@EXAMPLES
@given(data=FIELDS)
def test_a_reps_pages_never_answer_500(as_server, owner, team, data):
    lead = owned_lead(team, owner)
    public = LeadFactory(team=team)
    as_server.force_login(owner)
    for url in (
        reverse("leads:create"),
        reverse("visits:log"),
        reverse("visits:plan"),
        reverse("visits:note"),
        reverse("visits:list"),
        reverse("pools:pool"),
        reverse("pools:return", args=[lead.pk]),
        reverse("pools:keep", args=[lead.pk]),
        reverse("pools:claim", args=[public.pk]),
        reverse("leads:close", args=[lead.pk]),
        reverse("deals:step", args=[lead.pk]),
    ):
        assert_no_server_error(as_server, url, data)


@EXAMPLES
@given(data=FIELDS)
def test_a_managers_pages_never_answer_500(as_server, manager, owner, team, data):
    owned_lead(team, owner)
    as_server.force_login(manager)
    for url in (
        reverse("pools:team"),
        reverse("pools:allocation"),
        reverse("pools:export_team"),
        reverse("reports:meeting"),
        reverse("reports:compliance"),
        reverse("reports:dashboard"),
        reverse("leads:collisions"),
        reverse("leads:create"),
        reverse("policy"),
        reverse("hooks:integrations"),
        reverse("deals:customers"),
        reverse("api_tokens"),
    ):
        assert_no_server_error(as_server, url, data)


@EXAMPLES
@given(data=FIELDS)
def test_qc_pages_never_answer_500(as_server, qc_user, data):
    as_server.force_login(qc_user)
    for url in (reverse("qc:queue"), reverse("qc:draws"), reverse("qc:report"), reverse("qc:incidents")):
        assert_no_server_error(as_server, url, data)
