"""What a careless or hostile user types never makes a 500: each input that once did, through its page."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Role
from core.tests.factories import member
from deals.services import add_proposal, confirm_need
from leads.models import Lead
from leads.tests.factories import owned_lead
from pools.models import RepQuota
from visits.models import DailyNote, Visit
from visits.services.entry import log_visit

EFFECTIVE = {"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "报价"}


@pytest.fixture
def as_server():
    """A client that answers like the server (a 500 comes back as a page), not by raising."""
    return Client(raise_request_exception=False)


def page_text(response) -> str:
    return response.content.decode()


def test_a_company_name_that_grows_past_its_column_when_normalised_is_a_form_error(as_server, owner):
    as_server.force_login(owner)

    response = as_server.post(reverse("leads:create"), {"company_name": "㍿" * 120, "priority": 0})

    assert response.status_code == 200
    assert "公司名称展开后过长" in page_text(response)
    assert not Lead.objects.exists()


def test_a_phone_with_too_many_digits_is_a_form_error(as_server, owner):
    as_server.force_login(owner)

    response = as_server.post(reverse("leads:create"), {"company_name": "杭州甲公司", "phone": "1" * 40, "priority": 0})

    assert response.status_code == 200
    assert "不是有效的电话号码" in page_text(response)
    assert not Lead.objects.exists()


@pytest.mark.parametrize("number", ["²", "٣", "1e3", "-1", "99999999999999999999999"])
def test_numbers_that_are_not_plain_digits_are_refused_with_a_message(as_server, owner, manager, team, number):
    owned_lead(team, owner)
    as_server.force_login(owner)
    logged = as_server.post(reverse("visits:log"), {"kind": "lead", "lead": number, **EFFECTIVE})
    assert logged.status_code == 200
    assert not Visit.objects.exists()
    assert as_server.get(reverse("visits:list"), {"rep": number}).status_code == 200
    assert as_server.post(reverse("visits:plan"), {"remove": number}).status_code == 404

    as_server.force_login(manager)
    response = as_server.post(
        reverse("pools:allocation"), {"team": team.pk, "action": "quotas", f"quota-{owner.pk}": number}, follow=True
    )
    assert response.status_code == 200
    assert "配额必须是整数" in page_text(response)
    assert not RepQuota.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "x"])
def test_days_out_of_range_in_addresses_are_said_and_ignored(as_server, owner, manager, qc_user, team, day):
    as_server.force_login(manager)
    for name, param in (("reports:meeting", "day"), ("reports:compliance", "week")):
        response = as_server.get(reverse(name), {"team": team.pk, param: day})
        assert response.status_code == 200, (name, day)
        assert "不是可显示的日期" in page_text(response)
    assert as_server.get(reverse("reports:dashboard"), {"start": day, "end": "9999-12-31"}).status_code == 200
    as_server.force_login(qc_user)
    assert as_server.get(reverse("qc:report"), {"start": day, "end": day}).status_code == 200
    as_server.force_login(owner)
    assert as_server.get(reverse("visits:plan"), {"day": day}).status_code == 200
    assert as_server.get(reverse("visits:list"), {"day": day}).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_days_out_of_range_in_forms_are_form_errors(as_server, owner, qc_user, team, day):
    lead = owned_lead(team, owner)
    log_visit(actor=owner, lead=lead, values=EFFECTIVE)
    confirm_need(actor=owner, lead=lead, need="收银")
    add_proposal(actor=owner, lead=lead, amount="1000")
    as_server.force_login(owner)

    signed = as_server.post(
        reverse("deals:step", args=[lead.pk]),
        {"action": "contract", "number": "HT-1", "amount": "1000", "signed_on": day, "term_months": 12},
        follow=True,
    )
    assert signed.status_code == 200
    assert "2000" in page_text(signed) or "2100" in page_text(signed)
    assert not lead.contracts.exists()

    as_server.force_login(qc_user)
    drawn = as_server.post(reverse("qc:draws"), {"team": team.pk, "day": day})
    assert drawn.status_code == 200
    assert "2000" in page_text(drawn) or "2100" in page_text(drawn)


def test_an_absurd_position_accuracy_is_dropped_and_the_visit_saved(as_server, owner, team):
    lead = owned_lead(team, owner)
    as_server.force_login(owner)

    response = as_server.post(
        reverse("visits:log"),
        {"kind": "lead", "lead": lead.pk, **EFFECTIVE, "latitude": "30.25", "longitude": "120.16", "accuracy": "1e12"},
    )

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (str(visit.latitude), visit.accuracy_meters) == ("30.250000", None)


def test_two_megabytes_of_notes_is_a_form_error_that_keeps_what_was_typed(as_server, owner, team):
    lead = owned_lead(team, owner)
    as_server.force_login(owner)

    response = as_server.post(
        reverse("visits:log"), {"kind": "lead", "lead": lead.pk, **EFFECTIVE, "notes": "x" * 2_000_000}
    )

    assert response.status_code == 200
    assert "2000" in page_text(response)
    assert 'value="报价"' in page_text(response)
    assert not Visit.objects.exists()


def test_a_request_too_large_to_read_gets_a_page_that_says_so(as_server, owner, team):
    as_server.force_login(owner)

    response = as_server.post(reverse("visits:log"), {"notes": "拜" * 1_000_000})

    assert response.status_code == 400
    assert "过大" in page_text(response)


def test_an_evening_meeting_note_too_long_is_refused_with_a_message(as_server, owner):
    as_server.force_login(owner)

    response = as_server.post(reverse("visits:note"), {"win": "签" * 301, "difficulty": ""}, follow=True)

    assert "300" in page_text(response)
    assert not DailyNote.objects.exists()


def test_the_admin_cannot_add_a_lead_outside_the_app(as_server, admin_user):
    as_server.force_login(admin_user)

    assert as_server.get("/admin/leads/lead/add/").status_code == 403


def test_another_teams_report_stays_not_found_whatever_the_day(as_server, team, other_team):
    as_server.force_login(member(other_team, Role.MANAGER, username="stranger"))

    assert as_server.get(reverse("reports:meeting"), {"team": team.pk, "day": "0001-01-01"}).status_code == 404
