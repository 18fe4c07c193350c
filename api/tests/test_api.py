"""The API as other systems use it: scoped like the pages, the same services, the same messages, as JSON."""

import uuid

from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tests.conftest import POTENTIAL
from api.throttling import TokenRateThrottle
from leads.models import Collision, Lead, LeadState
from leads.tests.factories import LeadFactory
from visits.models import Visit

USERS = ("owner", "teammate", "outsider", "manager", "other_manager", "qc_user", "admin_user")


def statuses(as_user, request, call):
    return {name: call(as_user(request.getfixturevalue(name))).status_code for name in USERS}


def test_a_lead_is_reached_by_its_owner_its_teams_managers_and_qc_and_admin_only(as_user, request, world):
    url = reverse("api:lead-detail", args=[world["mine"].pk])

    assert statuses(as_user, request, lambda caller: caller.get(url)) == {
        "owner": 200,
        "teammate": 404,
        "outsider": 404,
        "manager": 200,
        "other_manager": 404,
        "qc_user": 200,
        "admin_user": 200,
    }


def test_a_pool_lead_is_open_to_the_teams_reps_with_its_contacts_hidden(as_user, request, world):
    url = reverse("api:lead-detail", args=[world["public"].pk])

    assert statuses(as_user, request, lambda caller: caller.get(url)) == {
        "owner": 200,
        "teammate": 200,
        "outsider": 404,
        "manager": 200,
        "other_manager": 404,
        "qc_user": 200,
        "admin_user": 200,
    }
    shown_to_rep = as_user(request.getfixturevalue("teammate")).get(url).json()
    assert (shown_to_rep["phone"], shown_to_rep["contact_name"], shown_to_rep["contact_shown"]) == ("", "", False)
    shown_to_manager = as_user(request.getfixturevalue("manager")).get(url).json()
    assert shown_to_manager["phone"] == "13900000002"


def test_lead_lists_hold_what_each_role_may_see(as_user, request, world):
    def listed(name):
        body = as_user(request.getfixturevalue(name)).get(reverse("api:lead-list")).json()
        return {row["company_name"] for row in body["results"]}

    assert "杭州自有科技有限公司" in listed("owner")
    assert listed("teammate") == set()
    assert listed("outsider") == {"上海别队有限公司"}
    assert {"杭州自有科技有限公司", "杭州公海贸易有限公司"} <= listed("manager")
    assert "上海别队有限公司" not in listed("manager")
    assert "杭州自有科技有限公司" not in listed("other_manager")
    assert "上海别队有限公司" in listed("admin_user")


def test_the_lead_search_finds_a_two_character_fragment_of_a_chinese_name_within_the_callers_leads(
    as_user, manager, admin_user, world
):
    def found(user, search):
        body = as_user(user).get(reverse("api:lead-list"), {"search": search}).json()
        return {row["company_name"] for row in body["results"]}

    assert found(manager, "公海") == {"杭州公海贸易有限公司"}
    assert found(manager, "自有科技") == {"杭州自有科技有限公司"}
    assert found(manager, "别队") == set()  # another team's lead, whatever the search
    assert found(admin_user, "别队") == {"上海别队有限公司"}


def test_the_pool_lists_the_reps_own_team_with_contacts_hidden(as_user, world, teammate, outsider, qc_user):
    rows = as_user(teammate).get(reverse("api:pool-list")).json()["results"]

    assert [row["company_name"] for row in rows] == ["杭州公海贸易有限公司"]
    assert rows[0]["phone"] == ""
    assert as_user(outsider).get(reverse("api:pool-list")).json()["results"] == []
    assert as_user(qc_user).get(reverse("api:pool-list")).status_code == 403


def test_visits_are_reached_like_their_pages(as_user, request, world):
    url = reverse("api:visit-detail", args=[world["visit"].pk])

    assert statuses(as_user, request, lambda caller: caller.get(url)) == {
        "owner": 200,
        "teammate": 404,
        "outsider": 404,
        "manager": 200,
        "other_manager": 404,
        "qc_user": 200,
        "admin_user": 200,
    }


def test_only_a_rep_logs_a_visit(as_user, request, world):
    body = {"lead": world["mine"].pk, **POTENTIAL}

    codes = statuses(as_user, request, lambda caller: caller.post(reverse("api:visit-list"), body))

    assert codes["owner"] == 201
    assert codes["teammate"] == 400, "a rep logging on another rep's lead is told, as on the form"
    assert {codes[name] for name in ("manager", "other_manager", "qc_user", "admin_user")} == {403}


def test_contracts_and_payments_are_reached_by_the_deals_owner_and_managers(as_user, request, world):
    url = reverse("api:contract-detail", args=[world["contract"].pk])

    assert statuses(as_user, request, lambda caller: caller.get(url)) == {
        "owner": 200,
        "teammate": 404,
        "outsider": 404,
        "manager": 200,
        "other_manager": 404,
        "qc_user": 404,
        "admin_user": 200,
    }


def test_a_payment_is_recorded_within_what_is_due(as_user, request, world, owner, teammate, qc_user):
    contract = world["contract"]
    body = {"contract": contract.pk, "amount": "4000.00", "received_on": "2026-11-27", "method": "bank"}

    assert as_user(teammate).post(reverse("api:payment-list"), body).status_code == 404
    assert as_user(qc_user).post(reverse("api:payment-list"), body).status_code == 403
    made = as_user(owner).post(reverse("api:payment-list"), body)
    assert made.status_code == 201
    assert made.json()["amount"] == "4000.00"
    too_much = as_user(owner).post(reverse("api:payment-list"), {**body, "amount": "7000"})
    assert too_much.status_code == 400
    assert too_much.json() == {"detail": "¥7,000.00 is more than the ¥6,000.00 still due on contract HT-1."}


def test_reports_are_read_by_managers_qc_and_admin_of_the_team(as_user, request, world, team):
    meeting = reverse("api:meeting")
    compliance = reverse("api:compliance")

    codes = statuses(as_user, request, lambda caller: caller.get(meeting, {"team": team.pk}))
    assert codes == {
        "owner": 403,
        "teammate": 403,
        "outsider": 403,
        "manager": 200,
        "other_manager": 404,
        "qc_user": 200,
        "admin_user": 200,
    }
    codes = statuses(as_user, request, lambda caller: caller.get(compliance, {"team": team.pk}))
    assert codes["manager"] == 200
    assert codes["qc_user"] == 403
    assert codes["other_manager"] == 404


def test_the_meeting_report_counts_the_days_visits(as_user, world, manager, team, owner):
    body = as_user(manager).get(reverse("api:meeting"), {"team": team.pk, "day": "2026-11-27"}).json()

    row = next(row for row in body["rows"] if row["rep"] == owner.pk)
    entered = Visit.objects.filter(rep=owner, day="2026-11-27").count()  # the deal's walk and the world's visit
    assert entered == 2
    assert row["in_person"] == entered
    assert body["totals"]["in_person"] == entered
    assert body["day"] == "2026-11-27"


def test_no_token_or_a_revoked_one_is_a_401_in_json(client, as_user, owner, world):
    url = reverse("api:lead-list")
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer crm_nothing_here").json() == {
        "detail": "此令牌不存在或已被撤销。"
    }
    caller = as_user(owner)
    assert caller.get(url).status_code == 200
    ApiToken.objects.filter(user=owner).update(revoked_at=timezone.now())
    assert caller.get(url).status_code == 401


def test_a_lead_posted_to_the_api_lands_in_the_pool_through_the_forms_duplicate_check(
    as_user, manager, team, owner, world
):
    caller = as_user(manager)

    made = caller.post(
        reverse("api:lead-list"), {"team": team.pk, "company_name": "杭州新线索网络有限公司", "phone": "138 0000 1234"}
    )
    assert made.status_code == 201
    lead = Lead.objects.get(pk=made.json()["id"])
    assert (lead.state, lead.owner_id, lead.source) == (LeadState.PUBLIC, None, "web")

    same_phone = caller.post(
        reverse("api:lead-list"), {"team": team.pk, "company_name": "别的名字", "phone": "13800001234"}
    )
    assert same_phone.status_code == 400
    assert same_phone.json()["detail"] == "杭州新线索网络有限公司 is already in the public pool of 杭州一区."

    taken = as_user(owner).post(reverse("api:lead-list"), {"company_name": "杭州自有科技有限公司"})
    assert taken.status_code == 400
    assert "You already own this lead" in taken.json()["detail"]


def test_a_lead_another_rep_owns_is_refused_with_its_owner_and_a_collision_is_recorded(as_user, teammate, world):
    answer = as_user(teammate).post(reverse("api:lead-list"), {"company_name": "杭州自有科技有限公司 "})

    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("杭州自有科技有限公司 is already owned by")
    assert Collision.objects.filter(lead=world["mine"], attempted_by=teammate).count() == 1


def test_bad_bodies_get_field_errors_not_500s(as_user, manager, owner, team, world):
    assert as_user(manager).post(reverse("api:lead-list"), {"team": team.pk}).json() == {
        "company_name": ["This field is required."]
    }
    assert as_user(owner).post(reverse("api:visit-list"), {"outcome": "nonsense"}).status_code == 400
    wrong_json = as_user(owner).client.post(
        reverse("api:visit-list"),
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {as_user(owner).token}",
    )
    assert wrong_json.status_code == 400
    assert as_user(owner).get(reverse("api:visit-list"), {"day_from": "yesterday"}).status_code == 400


def test_claim_keep_return_and_close_go_through_the_pool_rules(as_user, teammate, world, manager):
    caller = as_user(teammate)
    public = world["public"]

    claimed = caller.post(reverse("api:lead-claim", args=[public.pk]))
    assert claimed.status_code == 200
    assert claimed.json()["state"] == "assigned"
    assert claimed.json()["phone"] == "13900000002", "once claimed, the contacts are the rep's"
    again = as_user(world["mine"].owner).post(reverse("api:lead-claim", args=[public.pk]))
    assert again.status_code == 404, "now another rep's lead"
    assert caller.post(reverse("api:lead-keep", args=[public.pk])).json()["state"] == "private"
    assert caller.post(reverse("api:lead-return", args=[public.pk]), {}).json() == {
        "reason": ["This field is required."]
    }
    returned = caller.post(reverse("api:lead-return", args=[public.pk]), {"reason": "不是目标客户"})
    assert returned.json()["state"] == "public"
    closed = as_user(manager).post(reverse("api:lead-close", args=[public.pk]), {"reason": "other"})
    assert closed.json() == {"detail": "Say why the lead is closed."}


def test_a_manager_assigns_through_the_api_and_only_to_a_rep_of_the_team(
    as_user, manager, other_manager, teammate, outsider, world
):
    url = reverse("api:lead-assign", args=[world["public"].pk])

    assert as_user(manager).post(url, {"rep": outsider.pk}).status_code == 404
    assert as_user(other_manager).post(url, {"rep": teammate.pk}).status_code == 404
    assigned = as_user(manager).post(url, {"rep": teammate.pk})
    assert assigned.status_code == 200
    assert assigned.json()["owner"] == teammate.pk
    assert as_user(teammate).post(url, {"rep": teammate.pk}).status_code == 403


def test_a_visit_sent_twice_with_one_idempotency_key_is_saved_once(as_user, owner, world):
    key = str(uuid.uuid4())
    body = {"lead": world["mine"].pk, **POTENTIAL, "notes": "前台接待"}
    caller = as_user(owner)

    first = caller.post(reverse("api:visit-list"), body, headers={"Idempotency-Key": key})
    second = caller.post(reverse("api:visit-list"), body, headers={"Idempotency-Key": key})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.filter(client_id=key).count() == 1
    refused = caller.post(reverse("api:visit-list"), body, headers={"Idempotency-Key": "not-a-uuid"})
    assert refused.json() == {"Idempotency-Key": ["Use a UUID as the Idempotency-Key."]}


def test_a_cold_visit_through_the_api_finds_its_lead_like_the_form(as_user, teammate, world):
    body = {"cold": {"company_name": "杭州公海贸易有限公司"}, **POTENTIAL}

    answer = as_user(teammate).post(reverse("api:visit-list"), body)

    assert answer.status_code == 201
    assert answer.json()["is_cold"] is True
    assert answer.json()["lead"] == world["public"].pk


def test_lists_come_in_cursor_pages_without_overlap(as_user, manager, team):
    LeadFactory.create_batch(60, team=team)
    caller = as_user(manager)

    first = caller.get(reverse("api:lead-list")).json()
    second = caller.get(first["next"]).json()

    assert len(first["results"]) == 50
    assert len(second["results"]) == 10
    assert second["next"] is None
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}


def test_each_token_has_its_own_allowance(as_user, owner, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    first, second = as_user(owner), as_user(owner)

    codes = [first.get(reverse("api:lead-list")).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert second.get(reverse("api:lead-list")).status_code == 200
    assert "Request was throttled" in first.get(reverse("api:lead-list")).json()["detail"]


def test_messages_follow_accept_language(client, as_user, owner, world):
    url = reverse("api:lead-detail", args=[world["theirs"].pk])

    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {as_user(owner).token}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "未找到。"}


def test_the_pipeline_counts_the_deals_each_user_follows(as_user, owner, teammate, manager, world):
    def stages(user):
        return {row["code"]: row for row in as_user(user).get(reverse("api:pipeline")).json()}

    mine = stages(owner)
    assert sum(row["count"] for row in mine.values()) >= 1
    assert world["mine"].pk in {lead for row in mine.values() for lead in row["latest"]}
    assert sum(row["count"] for row in stages(teammate).values()) == 0
    assert sum(row["count"] for row in stages(manager).values()) == sum(row["count"] for row in mine.values())
