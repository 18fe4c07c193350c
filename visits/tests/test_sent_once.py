"""Entries queued on a phone without signal arrive exactly once, and on time when they were made on time."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from leads.tests.factories import owned_lead
from pools.tests.test_races import run_at_once
from visits.models import Visit
from visits.services.entry import entry_moment, log_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_replayed_entry_is_answered_with_the_visit_already_saved(owner, team):
    lead = owned_lead(team, owner)
    entry = uuid.uuid4()

    first = log_visit(actor=owner, lead=lead, values=POTENTIAL, client_id=entry)
    again = log_visit(actor=owner, lead=lead, values=POTENTIAL, client_id=entry)

    assert (again.visit, again.replayed, first.replayed) == (first.visit, True, False)
    assert Visit.objects.count() == 1
    log_visit(actor=owner, lead=lead, values=POTENTIAL, client_id=uuid.uuid4())
    assert Visit.objects.count() == 2  # another entry of the same visit is another visit (and not counted twice)


@pytest.mark.parametrize(
    ("saved", "phone_clock_at_sync", "server", "late"),
    [
        ("2026-11-27 22:40", "2026-11-27 23:20:30", "2026-11-27 23:20", False),  # queued on time, clock right
        ("2026-11-27 22:40", "2026-11-27 23:40", "2026-11-27 23:20", True),  # clock 20 min off: not believed
        ("2026-11-27 23:10", "2026-11-27 23:20", "2026-11-27 23:20", True),  # saved after the cut-off
    ],
)
def test_an_entry_queued_before_the_cut_off_is_on_time_if_the_phone_s_clock_is_right(
    owner, team, time_machine, saved, phone_clock_at_sync, server, late
):
    time_machine.move_to(at(server), tick=False)
    lead = owned_lead(team, owner)

    visit = log_visit(
        actor=owner,
        lead=lead,
        values=POTENTIAL,
        occurred_at=at("2026-11-27 15:00"),
        client_id=uuid.uuid4(),
        saved_on_phone_at=at(saved),
        device_time=at(phone_clock_at_sync),
    ).visit

    assert visit.is_late is late
    assert visit.saved_on_phone_at == at(saved)


def test_the_moment_of_an_offline_entry_is_read_on_the_server_s_clock():
    now = at("2026-11-27 23:20")

    made = entry_moment(now=now, saved_on_phone_at=at("2026-11-27 22:42"), device_time=now + timedelta(minutes=2))

    assert made == at("2026-11-27 22:40")
    assert entry_moment(now=now, saved_on_phone_at=None, device_time=None) == now


def test_the_queue_posts_the_form_and_reads_json(client, owner, team):
    lead = owned_lead(team, owner)
    client.force_login(owner)
    entry = str(uuid.uuid4())
    form = {"kind": "lead", "lead": lead.pk, "client_id": entry, **POTENTIAL}

    first = client.post(reverse("visits:log"), form, HTTP_ACCEPT="application/json")
    again = client.post(reverse("visits:log"), form, HTTP_ACCEPT="application/json")
    bad = client.post(
        reverse("visits:log"),
        {**form, "client_id": str(uuid.uuid4()), "outcome": "effective"},
        HTTP_ACCEPT="application/json",
    )
    gone = client.post(
        reverse("visits:log"), {**form, "client_id": str(uuid.uuid4()), "lead": 999999}, HTTP_ACCEPT="application/json"
    )

    assert (first.status_code, first.json()["status"]) == (200, "saved")
    assert (again.status_code, again.json()["status"], again.json()["visit"]) == (
        200,
        "replayed",
        first.json()["visit"],
    )
    assert bad.status_code == 409
    assert "有效拜访" in bad.json()["message"]
    assert gone.status_code == 409
    assert Visit.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_the_same_queue_at_once_save_each_entry_once(owner, team):
    leads = [owned_lead(team, owner) for _ in range(3)]
    queue = [(lead, uuid.uuid4()) for lead in leads]

    def send_queue():
        return [log_visit(actor=owner, lead=lead, values=POTENTIAL, client_id=entry).visit.pk for lead, entry in queue]

    first, second = run_at_once(send_queue, send_queue)

    assert first == second
    assert Visit.objects.count() == 3


def test_an_entry_whose_lead_moved_meanwhile_comes_back_as_a_cold_visit(client, owner, teammate, team, time_machine):
    from pools.services.reclaim import reclaim_overdue

    time_machine.move_to("2026-11-20 09:00:00+08:00", tick=False)
    lead = owned_lead(team, owner, company_name="杭州被收走公司")
    time_machine.move_to("2026-11-22 09:00:01+08:00", tick=False)
    reclaim_overdue()  # it left the rep days before the phone came back up: the visit no longer fits it
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    client.force_login(owner)

    refused = client.post(
        reverse("visits:log"),
        {"kind": "lead", "lead": lead.pk, "client_id": str(uuid.uuid4()), **POTENTIAL},
        HTTP_ACCEPT="application/json",
    )
    form = client.get(reverse("visits:log"), {"company": "杭州被收走公司"}).content.decode()

    assert refused.status_code == 409
    assert refused.json()["message"] == "这条线索不是你的，请改为记录陌拜。"
    assert 'name="company_name" value="杭州被收走公司"' in form
    assert 'value="cold" class="form-check-input" id="id_kind_1" required checked' in form


def test_a_replay_is_answered_even_when_the_entry_would_no_longer_pass(owner, team, time_machine):
    time_machine.move_to("2026-11-20 10:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    entry = uuid.uuid4()
    first = log_visit(actor=owner, lead=lead, values=POTENTIAL, occurred_at=at("2026-11-20 09:30"), client_id=entry)

    time_machine.move_to("2026-11-29 10:00:00+08:00", tick=False)  # the lost answer is asked for nine days later
    again = log_visit(actor=owner, lead=lead, values=POTENTIAL, occurred_at=at("2026-11-20 09:30"), client_id=entry)

    assert (again.visit, again.replayed) == (first.visit, True)
