"""One tap at the door: the check-in records where and when, and the evening's entry of the visit attaches to it."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.errors import DomainError
from leads.tests.factories import owned_lead
from reports.daily import evening_meeting
from visits.models import CheckIn, Visit
from visits.services.entry import log_visit
from visits.services.evidence import check_in

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
WEST_LAKE = ("30.259300", "120.130000", "18")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_check_in_records_where_and_when_and_the_evening_entry_attaches(owner, team, time_machine):
    lead = owned_lead(team, owner)
    time_machine.move_to("2026-11-27 10:05:00+08:00", tick=False)
    spot = check_in(actor=owner, lead_id=lead.pk, location=WEST_LAKE)
    assert (spot.latitude, spot.accuracy_meters) == (Decimal("30.259300"), 18)

    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    visit = log_visit(actor=owner, lead=lead, values=POTENTIAL).visit  # entered "just now"

    spot.refresh_from_db()
    assert spot.visit == visit
    assert visit.occurred_at == datetime(2026, 11, 27, 10, 5, tzinfo=SHANGHAI)  # when the rep was there
    assert (visit.latitude, visit.longitude) == (Decimal("30.259300"), Decimal("120.130000"))


def test_a_check_in_needs_a_position_and_an_own_lead(owner, teammate, team):
    mine, theirs = owned_lead(team, owner), owned_lead(team, teammate)

    with pytest.raises(DomainError, match="手机没有提供位置"):
        check_in(actor=owner, lead_id=mine.pk, location=(None, None, None))
    with pytest.raises(DomainError, match="只能在自己的线索处签到"):
        check_in(actor=owner, lead_id=theirs.pk, location=WEST_LAKE)
    assert not CheckIn.objects.exists()


def test_a_stated_time_is_kept_and_a_visit_without_check_in_says_so(client, owner, team, time_machine):
    lead, other = owned_lead(team, owner), owned_lead(team, owner)
    time_machine.move_to("2026-11-27 10:05:00+08:00", tick=False)
    check_in(actor=owner, lead_id=lead.pk, location=WEST_LAKE)
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    at_ten = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)

    attached = log_visit(actor=owner, lead=lead, values=POTENTIAL, occurred_at=at_ten).visit
    bare = log_visit(actor=owner, lead=other, values=POTENTIAL).visit

    assert attached.occurred_at == at_ten
    client.force_login(owner)
    assert "签到于 10:05" in client.get(reverse("visits:detail", args=[attached.pk])).content.decode()
    assert "未签到" in client.get(reverse("visits:detail", args=[bare.pk])).content.decode()
    rows, totals = evening_meeting(team, at_ten.date())
    assert (rows[0].in_person, rows[0].checked_in, totals.checked_in) == (2, 1, 1)


def test_the_check_in_button_posts_and_comes_back(client, owner, team):
    lead = owned_lead(team, owner, company_name="杭州签到公司")
    client.force_login(owner)

    response = client.post(
        reverse("visits:check_in"),
        {"lead": lead.pk, "latitude": "30.2593", "longitude": "120.13", "accuracy": "25", "next": "/leads/mine/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/leads/mine/"
    assert "已在杭州签到公司签到" in response.content.decode()
    elsewhere = client.post(reverse("visits:check_in"), {"lead": lead.pk, "next": "https://evil.example/"})
    assert elsewhere.url == reverse("home")
    assert Visit.objects.count() == 0
