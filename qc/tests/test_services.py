from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import Notification, Role
from core.policy import policy_for
from core.tests.factories import member
from leads.tests.factories import owned_lead
from qc.models import Draw, Incident, Sample, SampleStatus
from qc.risk import risk_signals
from qc.services import draw_due_teams, draw_sample, record_audit, select_sample
from reports import dashboards
from reports.daily import evening_meeting, weekly_compliance
from visits.models import Visit
from visits.selectors import today_for
from visits.services.entry import log_visit
from visits.tests.factories import visits_for

DAY = date(2026, 11, 26)
NEXT_MORNING = "2026-11-27 09:30:00+08:00"


@pytest.fixture
def reps(team):
    return [member(team, Role.REP, username=f"rep{n}") for n in range(10)]


@pytest.fixture
def day_of_visits(team, reps):
    for rep in reps:
        visits_for(rep, team, DAY, in_person=10, effective=5)
    return Visit.objects.filter(team=team, day=DAY)


def candidates(visits):
    return list(visits.values_list("pk", "rep_id", "outcome"))


def test_the_same_seed_gives_the_same_sample(day_of_visits):
    rates = {"effective_rate": 20, "potential_rate": 5, "minimum_per_rep": 1}

    first = select_sample(candidates(day_of_visits), seed=42, **rates)
    again = select_sample(list(reversed(candidates(day_of_visits))), seed=42, **rates)
    other = select_sample(candidates(day_of_visits), seed=43, **rates)

    assert first == again
    assert set(first) != set(other)


def test_each_outcome_is_sampled_at_its_rate_and_every_rep_at_least_once(day_of_visits, reps):
    rates = {"seed": 7, "effective_rate": 20, "potential_rate": 5}
    by_rate = Visit.objects.filter(pk__in=select_sample(candidates(day_of_visits), minimum_per_rep=0, **rates))

    # 50 effective at 20% and 50 potential at 5% (2.5, rounded half up).
    assert by_rate.filter(outcome="effective").count() == 10
    assert by_rate.filter(outcome="potential").count() == 3

    chosen = select_sample(candidates(day_of_visits), minimum_per_rep=1, **rates)
    missing = {rep.pk for rep in reps} - set(by_rate.values_list("rep_id", flat=True))
    # The minimum adds exactly one visit for each rep the rates missed, and keeps every visit the rates chose.
    assert set(chosen) >= set(by_rate.values_list("pk", flat=True))
    assert len(chosen) == 13 + len(missing)
    assert set(Visit.objects.filter(pk__in=chosen).values_list("rep_id", flat=True)) == {rep.pk for rep in reps}


def test_a_draw_stores_its_seed_and_locks_the_sampled_visits(team, day_of_visits, qc_user, time_machine):
    time_machine.move_to(NEXT_MORNING, tick=False)

    draw = draw_sample(team=team, day=DAY, actor=qc_user, seed=99)

    assert draw.seed == 99
    assert draw.candidates == 100
    sampled = Visit.objects.filter(sample__draw=draw)
    assert sampled.count() == draw.samples.count() > 0
    assert not sampled.filter(sampled_at__isnull=True).exists()
    assert set(sampled.values_list("pk", flat=True)) == set(
        select_sample(candidates(day_of_visits), seed=99, effective_rate=20, potential_rate=5, minimum_per_rep=1)
    )


def test_a_visit_is_never_drawn_twice(team, day_of_visits, qc_user, time_machine):
    time_machine.move_to(NEXT_MORNING, tick=False)

    first = draw_sample(team=team, day=DAY, actor=qc_user, seed=1)
    second = draw_sample(team=team, day=DAY, actor=qc_user, seed=1)

    assert second.candidates == 100 - first.samples.count()
    assert Sample.objects.count() == Sample.objects.values("visit").distinct().count()


def test_a_day_is_drawn_only_once_its_entry_has_closed(team, day_of_visits, qc_user, time_machine):
    time_machine.move_to("2026-11-26 22:00:00+08:00", tick=False)

    with pytest.raises(DomainError, match="录入截止后才能抽样"):
        draw_sample(team=team, day=DAY, actor=qc_user)


def test_only_qc_of_the_team_draws(team, day_of_visits, manager, owner, time_machine):
    time_machine.move_to(NEXT_MORNING, tick=False)
    for user in (manager, owner):
        with pytest.raises(DomainError, match="只有该团队的品控人员"):
            draw_sample(team=team, day=DAY, actor=user)


def test_the_morning_job_draws_yesterday_at_the_teams_time_once(team, day_of_visits, time_machine):
    time_machine.move_to("2026-11-27 08:59:00+08:00", tick=False)
    assert draw_due_teams() == []

    time_machine.move_to("2026-11-27 01:00:00+00:00", tick=False)  # 09:00 in Shanghai
    (draw,) = draw_due_teams()
    assert (draw.day, draw.is_automatic) == (DAY, True)
    assert draw_due_teams() == []
    assert Draw.objects.count() == 1


@pytest.fixture
def sampled(team, owner, qc_user, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    visit = log_visit(
        actor=owner,
        lead=lead,
        values={"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "签约"},
    ).visit
    time_machine.move_to(NEXT_MORNING, tick=False)
    draw_sample(team=team, day=DAY, actor=qc_user)
    return Sample.objects.get(visit=visit)


def test_a_verified_audit_closes_the_sample(sampled, qc_user):
    record_audit(actor=qc_user, sample=sampled, outcome="verified")

    sampled.refresh_from_db()
    assert sampled.status == SampleStatus.VERIFIED
    with pytest.raises(DomainError, match="该样本已核查过"):
        record_audit(actor=qc_user, sample=sampled, outcome="falsified", notes="late change of mind", confirmed=True)


def test_unreachable_is_retried_up_to_the_limit_then_unverifiable(sampled, qc_user, team):
    policy = policy_for(team)
    policy.qc_unreachable_retries = 2
    policy.save()

    for expected in (SampleStatus.UNREACHABLE, SampleStatus.UNREACHABLE, SampleStatus.UNVERIFIABLE):
        record_audit(actor=qc_user, sample=sampled, outcome="unreachable")
        sampled.refresh_from_db()
        assert sampled.status == expected
    assert sampled.attempts == 3


def test_a_falsified_visit_is_voided_recorded_and_stops_counting(sampled, qc_user, owner, manager, team):
    visit = sampled.visit
    lead = visit.lead

    with pytest.raises(DomainError, match="请勾选确认"):
        record_audit(actor=qc_user, sample=sampled, outcome="falsified", notes="客户说没人来过")
    visit.refresh_from_db()
    assert not visit.is_voided

    record_audit(actor=qc_user, sample=sampled, outcome="falsified", notes="客户说没人来过", confirmed=True)

    visit.refresh_from_db()
    assert visit.is_voided
    incident = Incident.objects.get()
    assert (incident.rep, incident.visit) == (owner, visit)
    assert set(Notification.objects.values_list("user__username", "kind")) == {
        ("owner", "integrity"),
        ("manager", "team_integrity"),
    }
    lead.refresh_from_db()
    assert lead.last_follow_up_at is None
    rows, totals = evening_meeting(team, DAY)
    assert (rows[0].in_person, rows[0].effective, totals.in_person) == (0, 0, 0)
    assert today_for(owner, team, DAY, timezone.now()).in_person == 0
    assert weekly_compliance(team, DAY - timedelta(days=DAY.weekday()))[0].days[3][1:3] == (0, 0)
    assert dashboards.visits_per_day([team], DAY, DAY).rows == [[DAY.isoformat(), 0, 0]]


def test_a_mismatch_or_falsified_needs_notes(sampled, qc_user):
    with pytest.raises(DomainError, match="请说明哪里不符"):
        record_audit(actor=qc_user, sample=sampled, outcome="falsified")
    with pytest.raises(DomainError, match="请说明哪里不符"):
        record_audit(actor=qc_user, sample=sampled, outcome="minor_mismatch", notes=" ")


def test_a_manager_or_rep_cannot_audit(sampled, manager, owner):
    for user in (manager, owner):
        with pytest.raises(DomainError, match="只有该团队的品控人员"):
            record_audit(actor=user, sample=sampled, outcome="verified")


def make_visit(team, rep, number, **fields):
    base = datetime.combine(DAY, time(9), tzinfo=ZoneInfo(team.time_zone))
    values = {
        "rep": rep,
        "team": team,
        "company_name": f"v{number}",
        "day": DAY,
        "occurred_at": base + timedelta(minutes=30 * number),
        "entered_at": base + timedelta(minutes=30 * number + 10),
        "person_role": "staff",
        "outcome": "potential",
    }
    return Visit.objects.create(**(values | fields))


def codes_of(signals, visit):
    return {signal["code"] for signal in signals.get(visit.pk, [])}


def test_an_honest_evening_batch_raises_no_signal(team, owner):
    from visits.models import CheckIn

    evening = datetime.combine(DAY, time(20), tzinfo=ZoneInfo(team.time_zone))
    batch = [
        make_visit(team, owner, number, entered_at=evening + timedelta(seconds=25 * number), notes="老板不在，下次再来")
        for number in range(8)
    ]
    for visit in batch:  # checked in at each door during the day, entered in one go at 20:00, 25 s apart
        CheckIn.objects.create(
            rep=owner,
            team=team,
            lead=owned_lead(team, owner),
            day=DAY,
            checked_in_at=visit.occurred_at,
            latitude=30.27,
            longitude=120.15,
            visit=visit,
        )

    signals = risk_signals(team, DAY)

    assert [codes_of(signals, visit) for visit in batch] == [set()] * 8


def test_a_day_without_any_check_in_stands_on_words_alone(team, owner):
    day = [make_visit(team, owner, number) for number in range(3)]

    signals = risk_signals(team, DAY)

    assert [codes_of(signals, visit) for visit in day] == [{"no_check_in_day"}] * 3


def test_risk_signals_flag_what_a_faker_leaves(team, owner, teammate):
    shared = owned_lead(team, owner, phone="13811112222", phone_key="13811112222")
    owned_lead(team, teammate, phone="138 1111 2222", phone_key="13811112222")
    late = make_visit(team, owner, 0, is_late=True)
    long_note = "老板不在，前台说下周二上午十点以后再来，带上门店收银系统的报价单和案例"
    copied = [make_visit(team, teammate, 2 + n, notes=long_note) for n in range(2)]
    phone = make_visit(team, owner, 4, lead=shared)
    make_visit(team, owner, 5, lead=shared, latitude=30.27, longitude=120.15)
    far = make_visit(team, owner, 6, lead=shared, latitude=31.23, longitude=121.47)

    signals = risk_signals(team, DAY)

    assert "late_entry" in codes_of(signals, late)
    assert all("repeated_notes" in codes_of(signals, one) for one in copied)
    assert "shared_phone" in codes_of(signals, phone)
    assert "far_position" in codes_of(signals, far)


def test_a_switch_and_an_impossible_speed_are_flagged(team, owner):
    from visits.models import CheckIn

    zone = ZoneInfo(team.time_zone)
    at = datetime.combine(DAY, time(10), tzinfo=zone)
    hangzhou = make_visit(team, owner, 2, occurred_at=at, entered_at=at + timedelta(minutes=5))
    shanghai = make_visit(team, owner, 3, occurred_at=at + timedelta(minutes=30))
    for visit, (lat, lon), minutes in ((hangzhou, (30.27, 120.15), 0), (shanghai, (31.23, 121.47), 30)):
        CheckIn.objects.create(
            rep=owner,
            team=team,
            lead=owned_lead(team, owner),
            day=DAY,
            checked_in_at=at + timedelta(minutes=minutes),
            latitude=lat,
            longitude=lon,
            visit=visit,
        )
    typed_later = make_visit(team, owner, 6, entered_at=datetime.combine(DAY, time(21), tzinfo=zone))

    signals = risk_signals(team, DAY)

    assert codes_of(signals, shanghai) == {"impossible_speed"}  # 165 km in half an hour
    assert codes_of(signals, typed_later) == {"switch"}
    assert codes_of(signals, hangzhou) == set()


def test_strong_signals_are_always_drawn(team, owner, qc_user, time_machine):
    long_note = "客户说上个月已经签了别家的系统，今天只是礼节性拜访，留了资料给采购部王经理"
    copies = [make_visit(team, owner, n, notes=long_note) for n in range(3)]
    for number in range(40):
        make_visit(team, owner, 10 + number)
    policy = policy_for(team)
    policy.qc_potential_rate, policy.qc_minimum_per_rep = 5, 0
    policy.save()
    time_machine.move_to(NEXT_MORNING, tick=False)

    draw = draw_sample(team=team, day=DAY, actor=qc_user, seed=7)

    drawn = set(draw.samples.values_list("visit_id", flat=True))
    assert {visit.pk for visit in copies} <= drawn
    assert len(drawn) == 3  # 5% of 43 is 2; the three strong ones are all drawn, within or above that


def test_weighting_by_risk_prefers_risky_visits_and_still_reproduces(team, reps, day_of_visits):
    risky = list(day_of_visits.filter(outcome="potential").values_list("pk", flat=True)[:5])
    weights = dict.fromkeys(risky, 1000.0)
    rates = {"effective_rate": 0, "potential_rate": 10, "minimum_per_rep": 0}

    chosen = select_sample(candidates(day_of_visits), seed=5, weights=weights, **rates)

    assert len(set(chosen) & set(risky)) >= 4
    assert chosen == select_sample(candidates(day_of_visits), seed=5, weights=weights, **rates)


@pytest.mark.usefixtures("daytime")
def test_a_check_in_far_from_the_leads_known_place_is_a_strong_signal(team, owner, manager):
    from leads.services.position import set_position
    from visits.services.evidence import check_in

    near, far, vague = (owned_lead(team, owner) for _ in range(3))
    for lead in (near, far, vague):
        set_position(actor=manager, lead=lead, latitude="30.2741", longitude="120.1551")
    visits = {}
    for lead, (lat, lon, accuracy) in (
        (near, ("30.2750", "120.1560", "20")),  # about 130 m away
        (far, ("30.2900", "120.1551", "20")),  # about 1.8 km away
        (vague, ("30.2800", "120.1551", "800")),  # 660 m away, but the phone said ± 800 m
    ):
        check_in(actor=owner, lead_id=lead.pk, location=(lat, lon, accuracy))
        visits[lead] = log_visit(
            actor=owner, lead=lead, values={"mode": "in_person", "person_role": "staff", "outcome": "potential"}
        ).visit
    day = visits[near].day

    signals = risk_signals(team, day)

    def codes(lead):
        return {signal["code"] for signal in signals.get(visits[lead].pk, [])}

    assert codes(near) == set()
    assert codes(far) == {"far_from_lead"}
    assert codes(vague) == set()


def test_a_verified_check_in_places_a_lead_with_no_position(team, owner, qc_user, time_machine):
    from visits.services.evidence import check_in

    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    check_in(actor=owner, lead_id=lead.pk, location=("30.2741", "120.1551", "15"))
    log_visit(actor=owner, lead=lead, values={"mode": "in_person", "person_role": "staff", "outcome": "potential"})
    time_machine.move_to(NEXT_MORNING, tick=False)
    draw_sample(team=team, day=DAY, actor=qc_user)

    record_audit(actor=qc_user, sample=Sample.objects.get(), outcome="verified")

    lead.refresh_from_db()
    assert (str(lead.latitude), lead.position_source) == ("30.274100", "check_in")
