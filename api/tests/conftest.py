import json

import pytest

from api.tokens import issue_token
from deals.tests.test_money import contract  # noqa: F401 (a fixture these tests share)
from leads.tests.factories import LeadFactory, owned_lead
from visits.services.entry import log_visit


class Caller:
    """Calls the API as one user, with a token of theirs, the way another system would."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.token = issue_token(actor=user, name=f"tests of {user.username}")[1] if user is not None else None

    def _headers(self, headers):
        base = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if self.token:
            base["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return {**base, **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(path, json.dumps(body or {}), content_type="application/json", **self._headers(headers))


@pytest.fixture
def as_user(client):
    return lambda user: Caller(client, user)


POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}


@pytest.fixture
def world(request, team, other_team, owner, teammate, outsider, manager, other_manager, qc_user, admin_user):
    """The rows each role may or may not reach: the owner's lead and deal, a pool lead, another team's lead."""
    signed = request.getfixturevalue("contract")
    mine = owned_lead(team, owner, company_name="杭州自有科技有限公司", phone="13900000001")
    public = LeadFactory(team=team, company_name="杭州公海贸易有限公司", phone="13900000002")
    theirs = owned_lead(other_team, outsider, company_name="上海别队有限公司")
    visit = log_visit(actor=owner, lead=mine, values=POTENTIAL).visit
    return {"mine": mine, "public": public, "theirs": theirs, "visit": visit, "contract": signed}
