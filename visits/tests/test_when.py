"""The visit form's "when": quick choices for the evening entry, read in the team's time zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from leads.tests.factories import owned_lead
from visits.models import Visit
from visits.when import When, visit_moment

SHANGHAI = ZoneInfo("Asia/Shanghai")
POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "when", "at_time", "expected"),
    [
        ("2026-11-27 21:00", When.MORNING, None, "2026-11-27 10:00"),
        ("2026-11-27 21:00", When.AFTERNOON, None, "2026-11-27 15:00"),
        ("2026-11-27 13:20", When.AFTERNOON, None, "2026-11-27 13:20"),  # never later than the entry
        ("2026-11-27 21:00", When.AT_TIME, time(14, 30), "2026-11-27 14:30"),
        ("2026-11-27 21:00", When.NOW, time(9, 15), "2026-11-27 09:15"),  # a time typed while "now" stayed ticked
        ("2026-11-27 00:30", When.MORNING, None, "2026-11-27 00:30"),  # just after midnight: today's morning is ahead
    ],
)
def test_a_quick_choice_stands_for_a_moment_of_the_team_s_day(team, now, when, at_time, expected):
    assert visit_moment(team, when=when, at_time=at_time, other_day=None, now=at(now)) == at(expected)


def test_just_now_and_another_day(team):
    now = at("2026-11-27 21:00")
    monday = at("2026-11-23 16:00")

    assert visit_moment(team, when=When.NOW, at_time=None, other_day=None, now=now) is None
    assert visit_moment(team, when=When.OTHER_DAY, at_time=None, other_day=monday, now=now) == monday
    assert visit_moment(team, when="", at_time=None, other_day=monday, now=now) == monday


def test_a_choice_missing_its_time_or_a_time_still_to_come_is_refused(team):
    now = at("2026-11-27 21:00")

    with pytest.raises(DomainError, match="请选择拜访的日期和时间"):
        visit_moment(team, when=When.OTHER_DAY, at_time=None, other_day=None, now=now)
    with pytest.raises(DomainError, match="请填写拜访的时间"):
        visit_moment(team, when=When.AT_TIME, at_time=None, other_day=None, now=now)
    with pytest.raises(DomainError, match="今天 22:30 还没到"):
        visit_moment(team, when=When.AT_TIME, at_time=time(22, 30), other_day=None, now=now)


def test_the_evening_entry_of_a_morning_visit_takes_two_taps(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    client.force_login(owner)

    client.post(reverse("visits:log"), {"kind": "lead", "lead": lead.pk, "when": "morning", **POTENTIAL})

    visit = Visit.objects.get()
    assert timezone.localtime(visit.occurred_at, SHANGHAI) == at("2026-11-27 10:00")
    assert not visit.is_late


def test_a_time_still_to_come_keeps_the_form_as_typed(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {"kind": "lead", "lead": lead.pk, "when": "at", "at_time": "22:30", "notes": "谈了报价", **POTENTIAL},
    )

    page = response.content.decode()
    assert "今天 22:30 还没到" in page
    assert "谈了报价" in page
    assert 'value="at" class="btn-check" id="id_when_3" checked><label class="btn' in page
    assert not Visit.objects.exists()
    again = client.get(reverse("visits:log")).content.decode()
    assert 'value="now" class="btn-check" id="id_when_0" checked><label class="btn' in again
    assert 'id="id_when_3" checked' not in again


def test_a_phone_clock_far_off_is_kept_and_becomes_a_qc_signal(client, owner, team, time_machine):
    from qc.risk import risk_signals

    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    client.force_login(owner)
    for device_time in ("2026-11-27T13:25:00.000Z", "2026-11-27T13:00:04.000Z", "not a time"):
        client.post(
            reverse("visits:log"),
            {"kind": "lead", "lead": owned_lead(team, owner).pk, "device_time": device_time, **POTENTIAL},
        )

    skews = list(Visit.objects.order_by("pk").values_list("device_clock_skew", flat=True))
    assert skews == [25 * 60, 4, None]
    signals = risk_signals(team, date(2026, 11, 27))
    first = Visit.objects.order_by("pk").first()
    assert {"code": "clock_skew", "minutes": 25} in signals[first.pk]
