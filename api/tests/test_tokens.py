"""Tokens: made on one's own page and shown once, kept only as a hash, revoked by their owner or an admin."""

import re

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.tokens import issue_token, revoke_token
from core.errors import DomainError

TOKEN = re.compile(r"crm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, owner):
    client.force_login(owner)

    made = client.post(reverse("api_tokens"), {"action": "issue", "name": "官网表单"})

    (text,) = TOKEN.findall(made.content.decode())
    assert made["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=owner)
    assert token.name == "官网表单"
    assert text.split("_", 2)[2] not in {token.digest, token.prefix}
    again = client.get(reverse("api_tokens")).content.decode()
    assert not TOKEN.findall(again), "the token's text is never shown again"
    assert f"crm_{token.prefix}_…" in again


def test_the_token_works_until_its_owner_revokes_it_and_records_its_last_use(client, owner):
    token, text = issue_token(actor=owner, name="finance")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    assert client.get(reverse("api:lead-list"), **auth).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.force_login(owner)
    client.post(reverse("api_tokens"), {"action": "revoke", "id": token.pk})

    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get(reverse("api:lead-list"), **auth).status_code == 401


def test_another_users_token_cannot_be_revoked_from_the_page(client, owner, teammate):
    token, _text = issue_token(actor=teammate, name="theirs")
    client.force_login(owner)

    assert client.post(reverse("api_tokens"), {"action": "revoke", "id": token.pk}).status_code == 404
    with pytest.raises(DomainError, match="令牌的所有者或管理员"):
        revoke_token(actor=owner, token=token)


def test_an_admin_revokes_anyones_token_in_the_administration(client, admin_user, owner):
    token, _text = issue_token(actor=owner, name="sync")
    client.force_login(admin_user)

    client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_needs_a_name(owner):
    with pytest.raises(DomainError, match="请为令牌命名"):
        issue_token(actor=owner, name="  ")


def test_a_deactivated_users_token_stops_working(client, owner):
    _token, text = issue_token(actor=owner, name="sync")
    owner.is_active = False
    owner.save()

    assert client.get(reverse("api:lead-list"), HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401


def test_the_schema_and_docs_are_for_signed_in_people_and_need_no_internet(client, owner):
    assert client.get(reverse("api:schema")).status_code in (401, 403)
    client.force_login(owner)

    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    docs = client.get(reverse("api:docs")).content.decode()

    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/leads/", "/api/v1/visits/", "/api/v1/payments/", "/api/v1/reports/meeting/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert not re.search(r"(src|href)=\"https?://", docs), "every file of the docs page is served by the CRM"
