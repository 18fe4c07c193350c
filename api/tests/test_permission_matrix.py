"""Every endpoint × every role: who gets what. Each call runs in a savepoint rolled back after it, so each role meets
the same rows (one role's claim does not change what the next one sees)."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from api.tests.conftest import POTENTIAL

USERS = ("anonymous", "owner", "teammate", "outsider", "manager", "other_manager", "qc_user", "admin_user")


def _contract(w):
    return {"contract": w["contract"].pk, "amount": "100", "received_on": "2026-11-27", "method": "bank"}


# name: (method, address, body, {user: status}); None in the table means "same as the row's default".
MATRIX = {
    "lead list": ("get", lambda w: reverse("api:lead-list"), None, dict.fromkeys(USERS[1:], 200)),
    "lead detail": (
        "get",
        lambda w: reverse("api:lead-detail", args=[w["mine"].pk]),
        None,
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 200,
            "admin_user": 200,
        },
    ),
    "lead intake": (
        "post",
        lambda w: reverse("api:lead-list"),
        lambda w: {"company_name": "杭州矩阵新建有限公司", "team": w["mine"].team_id},
        {
            "owner": 201,
            "teammate": 201,
            "outsider": 201,
            "manager": 201,
            "other_manager": 404,
            "qc_user": 403,
            "admin_user": 201,
        },
    ),
    "claim": (
        "post",
        lambda w: reverse("api:lead-claim", args=[w["public"].pk]),
        None,
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 400,
            "other_manager": 404,
            "qc_user": 400,
            "admin_user": 400,
        },
    ),
    "keep": (
        "post",
        lambda w: reverse("api:lead-keep", args=[w["mine"].pk]),
        None,
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 400,
            "other_manager": 404,
            "qc_user": 400,
            "admin_user": 400,
        },
    ),
    "return": (
        "post",
        lambda w: reverse("api:lead-return", args=[w["mine"].pk]),
        lambda w: {"reason": "不是目标客户"},
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 400,
            "other_manager": 404,
            "qc_user": 400,
            "admin_user": 400,
        },
    ),
    "assign": (
        "post",
        lambda w: reverse("api:lead-assign", args=[w["public"].pk]),
        lambda w: {"rep": w["mine"].owner_id},
        {
            "owner": 403,
            "teammate": 403,
            "outsider": 403,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 403,
            "admin_user": 200,
        },
    ),
    "close": (
        "post",
        lambda w: reverse("api:lead-close", args=[w["mine"].pk]),
        lambda w: {"reason": "other", "note": "已倒闭"},
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 400,
            "admin_user": 200,
        },
    ),
    "pool": (
        "get",
        lambda w: reverse("api:pool-list") + f"?team={w['mine'].team_id}",
        None,
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 403,
            "admin_user": 200,
        },
    ),
    "visit list": ("get", lambda w: reverse("api:visit-list"), None, dict.fromkeys(USERS[1:], 200)),
    "visit detail": (
        "get",
        lambda w: reverse("api:visit-detail", args=[w["visit"].pk]),
        None,
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 200,
            "admin_user": 200,
        },
    ),
    "visit entry": (
        "post",
        lambda w: reverse("api:visit-list"),
        lambda w: {"lead": w["mine"].pk, **POTENTIAL},
        {
            "owner": 201,
            "teammate": 400,
            "outsider": 400,
            "manager": 403,
            "other_manager": 403,
            "qc_user": 403,
            "admin_user": 403,
        },
    ),
    "contract list": ("get", lambda w: reverse("api:contract-list"), None, dict.fromkeys(USERS[1:], 200)),
    "contract detail": (
        "get",
        lambda w: reverse("api:contract-detail", args=[w["contract"].pk]),
        None,
        {
            "owner": 200,
            "teammate": 404,
            "outsider": 404,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 404,
            "admin_user": 200,
        },
    ),
    "payment list": ("get", lambda w: reverse("api:payment-list"), None, dict.fromkeys(USERS[1:], 200)),
    "pipeline": (
        "get",
        lambda w: reverse("api:pipeline"),
        None,
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 200,
            "manager": 200,
            "other_manager": 200,
            "qc_user": 403,
            "admin_user": 200,
        },
    ),
    "payment entry": (
        "post",
        lambda w: reverse("api:payment-list"),
        _contract,
        {
            "owner": 201,
            "teammate": 404,
            "outsider": 404,
            "manager": 201,
            "other_manager": 404,
            "qc_user": 403,
            "admin_user": 201,
        },
    ),
    "meeting": (
        "get",
        lambda w: reverse("api:meeting") + f"?team={w['mine'].team_id}",
        None,
        {
            "owner": 403,
            "teammate": 403,
            "outsider": 403,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 200,
            "admin_user": 200,
        },
    ),
    "compliance": (
        "get",
        lambda w: reverse("api:compliance") + f"?team={w['mine'].team_id}",
        None,
        {
            "owner": 403,
            "teammate": 403,
            "outsider": 403,
            "manager": 200,
            "other_manager": 404,
            "qc_user": 403,
            "admin_user": 200,
        },
    ),
}


@pytest.mark.parametrize("endpoint", MATRIX)
def test_each_role_gets_what_the_pages_give_it(endpoint, request, world, as_user):
    method, address, body, expected = MATRIX[endpoint]
    got = {}
    for name in USERS:
        caller = as_user(request.getfixturevalue(name)) if name != "anonymous" else as_user(None)
        caller.client = Client()  # a fresh client: no session, the token alone says who calls
        with transaction.atomic():
            call = getattr(caller, method)
            response = call(address(world), body(world) if body else None)
            got[name] = response.status_code
            assert response["Content-Type"].startswith("application/json"), (name, response.status_code)
            transaction.set_rollback(True)
    assert got == {"anonymous": 401, **expected}
