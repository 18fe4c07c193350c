import json

import pytest

from api.tokens import issue_token
from deals.tests.test_money import contract  # noqa: F401 (a fixture these tests share)


class Caller:
    """Calls the API as one user, with a token of theirs, the way another system would."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.token = issue_token(actor=user, name=f"tests of {user.username}")[1] if user else None

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
