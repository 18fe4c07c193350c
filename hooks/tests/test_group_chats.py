"""Group-chat bots: each platform's message format and signature, checked by a local stand-in for the platform."""

import base64
import hashlib
import hmac
import time
from datetime import time as clock

from core.models import Team
from hooks.delivery import deliver_due
from hooks.models import ChatPlatform, ChatPurpose, Delivery, DeliveryStatus, HookEvent
from hooks.services import send_test_message, set_group_chat, subscribe
from leads.tests.factories import owned_lead
from pools.services.reclaim import reclaim_overdue
from qc.services import record_audit
from reports.summaries import post_due_summaries

SECRET = "SEC0123456789abcdef"


def chat(manager, team, receiver, platform, purpose=ChatPurpose.MANAGERS, **fields):
    return set_group_chat(
        actor=manager, team=team, purpose=purpose, platform=platform, url=f"{receiver.url}/{platform}", **fields
    )


def test_wecom_gets_markdown(manager, team, receiver):
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    send_test_message(actor=manager, chat=chat(manager, team, receiver, ChatPlatform.WECOM))

    deliver_due()

    (received,) = receiver.received
    assert received.json["msgtype"] == "markdown"
    assert received.json["markdown"]["content"].startswith("**")
    assert team.name in received.json["markdown"]["content"]


def test_dingtalk_gets_markdown_and_a_valid_signature(manager, team, receiver):
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    send_test_message(actor=manager, chat=chat(manager, team, receiver, ChatPlatform.DINGTALK, secret=SECRET))

    deliver_due()

    (received,) = receiver.received
    stamp = received.query["timestamp"][0]
    assert abs(int(stamp) / 1000 - time.time()) < 60, "DingTalk's timestamp is in milliseconds"
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert received.query["sign"] == [expected]
    assert received.json["msgtype"] == "markdown"
    assert set(received.json["markdown"]) == {"title", "text"}


def test_lark_gets_a_card_with_markdown_and_a_valid_signature(manager, team, receiver):
    receiver.answer = {"code": 0, "msg": "success"}
    send_test_message(actor=manager, chat=chat(manager, team, receiver, ChatPlatform.LARK, secret=SECRET))

    deliver_due()

    body = receiver.received[0].json
    expected = base64.b64encode(
        hmac.new(f"{body['timestamp']}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "interactive"
    assert body["card"]["elements"][0]["tag"] == "markdown"


def test_a_platform_refusal_in_a_200_answer_is_a_failure(manager, team, receiver):
    receiver.answer = {"errcode": 310000, "errmsg": "sign not match"}
    send_test_message(actor=manager, chat=chat(manager, team, receiver, ChatPlatform.DINGTALK, secret="wrong"))

    deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "310000" in delivery.last_error
    assert "sign not match" in delivery.last_error


def test_the_evening_summary_is_posted_once_at_the_teams_time_in_the_teams_language(
    manager, team, owner, receiver, time_machine
):
    Team.objects.filter(pk=team.pk).update(language="zh-hans")
    receiver.answer = {"errcode": 0}
    chat(manager, team, receiver, ChatPlatform.WECOM, summary_time=clock(20, 30))

    time_machine.move_to("2026-11-30 20:29:00+08:00", tick=False)
    assert post_due_summaries() == []
    time_machine.move_to("2026-11-30 20:31:00+08:00", tick=False)
    assert len(post_due_summaries()) == 1
    assert post_due_summaries() == [], "a second beat, or the next minute, does not post it again"
    deliver_due()

    content = receiver.received[0].json["markdown"]["content"]
    assert "夕会" in content
    assert str(owner) in content

    time_machine.move_to("2026-12-01 20:31:00+08:00", tick=False)
    assert len(post_due_summaries()) == 1, "the next day has its own summary"


def test_reclaims_alert_the_managers_group_once_per_run(manager, team, owner, receiver, time_machine):
    receiver.answer = {"errcode": 0}
    chat(manager, team, receiver, ChatPlatform.WECOM)
    time_machine.move_to("2026-11-20 10:00:00+08:00", tick=False)
    for number in range(3):
        owned_lead(team, owner, company_name=f"过期公司{number}")

    time_machine.move_to("2026-11-30 10:00:00+08:00", tick=False)
    result = reclaim_overdue()
    deliver_due()

    assert len(result.moved) == 3
    (received,) = receiver.received
    content = received.json["markdown"]["content"]
    assert "3" in content
    assert "过期公司0" in content
    assert str(owner) in content


def test_a_falsified_visit_alerts_the_qc_group_and_the_webhook(manager, team, owner, qc_user, receiver, sampled):
    receiver.answer = {"errcode": 0}
    chat(manager, team, receiver, ChatPlatform.WECOM, purpose=ChatPurpose.QC)
    subscribe(actor=manager, team=team, url=receiver.url + "/hook", events=[HookEvent.QC_FALSIFIED])

    record_audit(actor=qc_user, sample=sampled, outcome="falsified", notes="客户说没人来过", confirmed=True)
    deliver_due()

    by_path = {received.path: received.json for received in receiver.received}
    assert sampled.visit.company_name in by_path["/wecom"]["markdown"]["content"]
    assert by_path["/hook"]["data"]["visit"] == sampled.visit.pk


def test_a_summary_time_is_kept_only_for_the_managers_group(manager, team, receiver):
    qc_chat = chat(manager, team, receiver, ChatPlatform.LARK, purpose=ChatPurpose.QC, summary_time=clock(20))

    assert qc_chat.summary_time is None
