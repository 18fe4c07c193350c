"""At most one counted visit per company per rep per day: a second one is kept and shown, marked as not counted."""

from datetime import date

import pytest
from django.urls import reverse

from leads.normalize import company_key
from leads.tests.factories import owned_lead
from pools.tests.test_races import run_at_once
from visits.counting import kept_counts_of
from visits.models import NotCounted, Visit
from visits.services.entry import edit_visit, log_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}
PHONE = {"mode": "phone", "person_role": "staff", "outcome": "potential"}
DAY = date(2026, 11, 27)
COLD = {"company_name": "杭州星河科技有限公司", "phone": "13700000001"}


@pytest.fixture
def evening(time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)


def test_a_second_visit_to_the_same_lead_that_day_is_kept_but_does_not_count(owner, team, evening):
    lead, other = owned_lead(team, owner), owned_lead(team, owner)

    first = log_visit(actor=owner, lead=lead, values=POTENTIAL)
    second = log_visit(actor=owner, lead=lead, values=POTENTIAL)
    log_visit(actor=owner, lead=other, values=POTENTIAL)

    assert (first.visit.not_counted, second.visit.not_counted) == ("", NotCounted.REPEAT)
    assert "只有第一次计入" in second.notices[0]
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 2
    assert Visit.objects.filter(rep=owner).count() == 3


def test_a_cold_company_entered_twice_in_a_day_counts_once(owner, team, evening):
    first = log_visit(actor=owner, cold=COLD, values=POTENTIAL)
    second = log_visit(actor=owner, cold={"company_name": " 杭州星河科技 "}, values=POTENTIAL)

    assert first.visit.not_counted == ""
    assert second.visit.not_counted == NotCounted.REPEAT
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 1


def test_a_phone_follow_up_does_not_use_up_the_companys_visit_and_the_next_day_counts_again(owner, team, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)

    log_visit(actor=owner, lead=lead, values=PHONE)
    assert log_visit(actor=owner, lead=lead, values=POTENTIAL).visit.not_counted == ""
    time_machine.move_to("2026-11-28 10:00:00+08:00", tick=False)
    assert log_visit(actor=owner, lead=lead, values=POTENTIAL).visit.not_counted == ""


def test_turning_a_phone_follow_up_into_a_second_visit_of_the_day_does_not_count(owner, team, evening):
    lead = owned_lead(team, owner)
    log_visit(actor=owner, lead=lead, values=POTENTIAL)
    call = log_visit(actor=owner, lead=lead, values=PHONE).visit

    edited = edit_visit(actor=owner, visit=call, changes={"mode": "in_person"})

    assert edited.not_counted == NotCounted.REPEAT
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_entries_of_the_same_company_at_once_count_once(owner, team, time_machine):
    time_machine.move_to("2026-11-27 20:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)

    outcomes = run_at_once(*(lambda: log_visit(actor=owner, lead=lead, values=POTENTIAL) for _ in range(4)))

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert sorted(Visit.objects.values_list("not_counted", flat=True)) == ["", "repeat", "repeat", "repeat"]
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 1


def test_the_form_says_a_visited_lead_will_not_count_and_today_shows_one(client, owner, team, evening):
    lead = owned_lead(team, owner, company_name="杭州已拜访公司")
    client.force_login(owner)
    log = reverse("visits:log")

    client.post(log, {"kind": "lead", "lead": lead.pk, **POTENTIAL})
    form = client.get(log).content.decode()
    assert "杭州已拜访公司（今天已拜访，再次拜访不计数）" in form
    response = client.post(log, {"kind": "lead", "lead": lead.pk, **POTENTIAL}, follow=True)

    today = response.content.decode()
    assert "只有第一次计入" in today
    assert response.context["summary"].in_person == 1
    assert today.count('data-testid="not-counted"') == 1


def _cold_visit_to_a_colleagues_lead(owner, teammate, team):
    theirs = owned_lead(team, teammate, company_name="杭州同事公司", company_key=company_key("杭州同事公司"))
    return log_visit(actor=owner, cold={"company_name": "杭州同事公司"}, values=POTENTIAL), theirs


def test_a_cold_visit_to_a_colleagues_lead_counts_only_once_the_manager_accepts_it(
    client, owner, teammate, manager, team, evening
):
    result, theirs = _cold_visit_to_a_colleagues_lead(owner, teammate, team)
    visit = result.visit
    assert (visit.not_counted, visit.collision.lead) == (NotCounted.COLLISION, theirs)
    assert "主管确认后计入" in result.notices[0]
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 0
    client.force_login(manager)

    page = client.get(reverse("leads:collisions")).content.decode()
    assert reverse("visits:decide_collision", args=[visit.pk]) in page
    client.post(reverse("visits:decide_collision", args=[visit.pk]), {"accept": "1"})

    visit.refresh_from_db()
    assert visit.not_counted == ""
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 1
    assert 'data-testid="visit-decision">已计入' in client.get(reverse("leads:collisions")).content.decode()


def test_a_collision_visit_the_manager_does_not_accept_stays_uncounted(client, owner, teammate, manager, team, evening):
    visit = _cold_visit_to_a_colleagues_lead(owner, teammate, team)[0].visit
    client.force_login(manager)

    client.post(reverse("visits:decide_collision", args=[visit.pk]), {"accept": "0"})
    response = client.post(reverse("visits:decide_collision", args=[visit.pk]), {"accept": "1"}, follow=True)

    visit.refresh_from_db()
    assert visit.not_counted == NotCounted.REJECTED
    assert "这次拜访不在等待确认" in response.content.decode()
    assert kept_counts_of(owner.pk, team.pk, DAY)["in_person"] == 0


def test_only_the_teams_manager_decides_on_a_collision_visit(client, owner, teammate, other_manager, team, evening):
    visit = _cold_visit_to_a_colleagues_lead(owner, teammate, team)[0].visit
    decide = reverse("visits:decide_collision", args=[visit.pk])

    client.force_login(owner)
    assert client.post(decide, {"accept": "1"}).status_code == 403
    client.force_login(other_manager)
    assert client.post(decide, {"accept": "1"}).status_code == 404
    visit.refresh_from_db()
    assert visit.not_counted == NotCounted.COLLISION
