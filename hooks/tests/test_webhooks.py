import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from core.errors import DomainError
from core.models import Notification
from deals.services import record_payment
from hooks.delivery import MOST_ATTEMPTS, PAUSE_AFTER_FAILURES, deliver_due, wait_after
from hooks.models import Delivery, DeliveryStatus, HookEvent, Subscription
from hooks.services import subscribe
from hooks.tasks import deliver_due_task
from leads.models import LeadState
from leads.tests.factories import LeadFactory
from pools.services.ownership import claim_lead


def verified(secret: str, received) -> bool:
    """What a receiver does: recompute the signature from the timestamp header and the raw body."""
    stamp = received.headers["X-CRM-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["X-CRM-Signature"])


@pytest.fixture
def hook(receiver, team, manager):
    return subscribe(actor=manager, team=team, url=receiver.url + "/crm", events=[HookEvent.LEAD_CLAIMED])


def test_a_claim_is_written_to_the_outbox_with_the_change_and_arrives_signed(hook, receiver, team, owner):
    lead = LeadFactory(team=team, company_name="杭州星河科技有限公司")

    claim_lead(actor=owner, lead=lead)

    delivery = Delivery.objects.get()
    assert delivery.event == "lead.claimed"
    assert delivery.status == DeliveryStatus.PENDING
    assert deliver_due() == 1
    (received,) = receiver.received
    assert received.path == "/crm"
    assert received.headers["X-CRM-Event"] == "lead.claimed"
    assert verified(hook.secret, received)
    assert not verified("another secret", received)
    body = received.json
    assert body["data"] == {"lead": lead.pk, "company": "杭州星河科技有限公司", "rep": owner.pk}
    assert body["delivery"] == delivery.pk
    assert body["team"] == team.pk
    assert abs(int(received.headers["X-CRM-Timestamp"]) - time.time()) < 60
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == (DeliveryStatus.DELIVERED, 200, 1)
    assert deliver_due() == 0, "a delivered message is not sent again"


def test_a_change_that_fails_writes_nothing_to_the_outbox(hook, team, owner):
    lead = LeadFactory(team=team)
    lead.state, lead.owner = LeadState.ASSIGNED, owner
    lead.save()

    with pytest.raises(DomainError, match="Someone else claimed this lead"):
        claim_lead(actor=owner, lead=lead)

    assert not Delivery.objects.exists()


def test_a_team_without_a_subscription_for_the_event_queues_nothing(receiver, team, manager, owner):
    subscribe(actor=manager, team=team, url=receiver.url, events=[HookEvent.PAYMENT_RECEIVED])

    claim_lead(actor=owner, lead=LeadFactory(team=team))

    assert not Delivery.objects.exists()


def test_a_failing_receiver_is_retried_with_growing_waits_then_paused_and_the_manager_told(
    hook, receiver, team, owner, manager, time_machine
):
    time_machine.move_to("2026-11-30 10:00:00+08:00", tick=False)
    receiver.status = 500
    for _ in range(PAUSE_AFTER_FAILURES):
        claim_lead(actor=owner, lead=LeadFactory(team=team))
    first = Delivery.objects.order_by("pk").first()

    deliver_due()

    first.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING
    assert (first.attempts, first.last_status_code) == (1, 500)
    assert first.next_attempt_at == timezone.now() + timedelta(seconds=30)
    assert wait_after(2) == timedelta(minutes=1)
    assert wait_after(20) == timedelta(hours=6)
    subscription = Subscription.objects.get()
    assert subscription.paused_at is not None, "ten failed attempts in a row pause the webhook"
    note = Notification.objects.get(user=manager, kind=Notification.Kind.HOOK_PAUSED)
    assert receiver.url in note.message
    assert "10" in note.message
    attempts = len(receiver.received)

    time_machine.move_to("2026-11-30 12:00:00+08:00", tick=False)
    assert deliver_due() == 0, "a paused webhook is not tried"
    assert len(receiver.received) == attempts


def test_the_manager_sees_the_failure_and_retries_it_after_fixing_the_receiver(
    hook, receiver, team, owner, manager, client
):
    receiver.status = 503
    claim_lead(actor=owner, lead=LeadFactory(team=team))
    deliver_due()
    client.force_login(manager)

    page = client.get(reverse("hooks:integrations"))
    assert "503" in page.content.decode()
    assert "重试" in page.content.decode()

    receiver.status = 200
    delivery = Delivery.objects.get()
    response = client.post(reverse("hooks:integrations"), {"team": team.pk, "action": "retry", "id": delivery.pk})
    assert response.status_code == 302
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert [received.json["delivery"] for received in receiver.received] == [delivery.pk, delivery.pk]


def test_a_message_is_given_up_after_its_last_attempt(hook, receiver, team, owner, time_machine):
    time_machine.move_to("2026-11-30 10:00:00+08:00", tick=False)
    receiver.status = 500
    claim_lead(actor=owner, lead=LeadFactory(team=team))
    delivery = Delivery.objects.get()
    for _ in range(MOST_ATTEMPTS):
        Subscription.objects.update(paused_at=None)
        time_machine.shift(timedelta(hours=7))
        deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GIVEN_UP
    assert delivery.attempts == MOST_ATTEMPTS


def test_a_payment_reaches_the_receiver_with_its_amount(receiver, team, manager, owner, contract):
    subscribe(actor=manager, team=team, url=receiver.url, events=[HookEvent.PAYMENT_RECEIVED])

    record_payment(actor=owner, contract=contract, amount="1000.50", received_on=contract.signed_on, method="bank")
    deliver_due()

    (received,) = receiver.received
    assert received.json["event"] == "payment.received"
    assert received.json["data"]["amount"] == "1000.50"


def test_a_private_address_is_refused_unless_allowed(settings, team, manager):
    settings.HOOKS_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(DomainError, match="private or local address"):
        subscribe(actor=manager, team=team, url="http://127.0.0.1:9/", events=[HookEvent.LEAD_CLAIMED])
    with pytest.raises(DomainError, match="Only http and https"):
        subscribe(actor=manager, team=team, url="ftp://example.com/", events=[HookEvent.LEAD_CLAIMED])


def test_only_a_manager_of_the_team_subscribes(receiver, team, other_manager, owner):
    with pytest.raises(DomainError, match="Only a manager of this team"):
        subscribe(actor=other_manager, team=team, url=receiver.url, events=[HookEvent.LEAD_CLAIMED])
    with pytest.raises(DomainError, match="Only a manager of this team"):
        subscribe(actor=owner, team=team, url=receiver.url, events=[HookEvent.LEAD_CLAIMED])


def test_the_integrations_page_is_for_managers_of_the_team(client, owner, qc_user, manager, other_manager, team):
    for user, status in ((owner, 403), (qc_user, 403), (manager, 200)):
        client.force_login(user)
        assert client.get(reverse("hooks:integrations")).status_code == status
    client.force_login(other_manager)
    assert client.get(reverse("hooks:integrations"), {"team": team.pk}).status_code == 404


def test_the_manager_adds_a_webhook_on_the_page_and_sees_its_secret(client, manager, team, receiver):
    client.force_login(manager)

    response = client.post(
        reverse("hooks:integrations"),
        {
            "team": team.pk,
            "action": "subscribe",
            "url": receiver.url + "/in",
            "events": ["visit.logged", "lead.claimed"],
        },
        follow=True,
    )

    subscription = Subscription.objects.get()
    assert subscription.events == ["lead.claimed", "visit.logged"]
    assert subscription.secret in response.content.decode()
    refused = client.post(reverse("hooks:integrations"), {"team": team.pk, "action": "subscribe", "url": "nonsense"})
    assert refused.status_code == 200
    assert "请输入合法的URL" in refused.content.decode()


def test_the_outbox_is_sent_by_the_minute_job():
    entry = settings.CELERY_BEAT_SCHEDULE["deliver-hooks"]
    assert entry["task"] == deliver_due_task.name
    assert entry["schedule"] == 60.0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_after_the_commit(team, manager, owner, receiver):
    subscribe(actor=manager, team=team, url=receiver.url, events=[HookEvent.LEAD_CLAIMED])
    lead = LeadFactory(team=team)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            claim_lead(actor=owner, lead=lead)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.2)

    assert [json.loads(received.body)["data"]["lead"] for received in receiver.received] == [lead.pk]


def events_of(receiver):
    return sorted(received.json["event"] for received in receiver.received)


def test_every_change_a_team_subscribes_to_arrives(receiver, team, manager, owner, teammate, time_machine):
    from datetime import date

    from deals.services import sign_contract
    from deals.tests.test_pipeline import walk_to_proposal
    from leads.tests.factories import owned_lead
    from pools.services.ownership import assign_leads
    from pools.services.reclaim import reclaim_overdue

    time_machine.move_to("2026-11-20 10:00:00+08:00", tick=False)
    subscribe(actor=manager, team=team, url=receiver.url, events=list(HookEvent.values))
    deal = owned_lead(team, owner, company_name="杭州签约有限公司")
    walk_to_proposal(owner, deal)  # a visit logged
    sign_contract(actor=owner, lead=deal, number="HT-9", amount="5000", signed_on=date(2026, 11, 20), term_months=6)
    assign_leads(actor=manager, leads=[LeadFactory(team=team)], rep=teammate)
    forgotten = owned_lead(team, owner, company_name="杭州遗忘有限公司")
    time_machine.move_to("2026-11-30 10:00:00+08:00", tick=False)
    reclaim_overdue()

    deliver_due()

    assert set(events_of(receiver)) == {"contract.signed", "lead.allocated", "lead.reclaimed", "visit.logged"}
    reclaimed = {
        received.json["data"]["lead"]: received.json["data"]
        for received in receiver.received
        if received.json["event"] == "lead.reclaimed"
    }
    assert reclaimed[forgotten.pk]["from_rep"] == owner.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(receiver, team, manager, owner):
    from pools.tests.test_races import run_at_once

    subscribe(actor=manager, team=team, url=receiver.url, events=[HookEvent.LEAD_CLAIMED])
    for _ in range(12):
        claim_lead(actor=owner, lead=LeadFactory(team=team))

    sent = run_at_once(deliver_due, deliver_due, deliver_due)

    assert sum(sent) == 12
    assert sorted(received.json["delivery"] for received in receiver.received) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
