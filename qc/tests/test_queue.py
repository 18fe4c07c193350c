"""The audit queue's rows: each sampled visit with what checking it needs, in the reader's language."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.models import Role
from core.policy import policy_for
from core.tests.factories import member
from leads.tests.factories import owned_lead
from qc.models import Sample
from qc.services import draw_sample, record_audit
from visits.models import Visit
from visits.services.entry import log_visit


@pytest.fixture
def queue(team, owner, qc_user, time_machine):
    """Three visits of 26 November drawn for audit, in the order the queue shows them: an in-person visit without a
    check-in, a phone call to nobody named whose customer was then unreachable once, a visit whose lead is gone;
    entered in another order than they happened."""
    policy = policy_for(team)
    policy.qc_effective_rate = policy.qc_potential_rate = 100
    policy.save()
    second = member(team, Role.REP, username="li", name="李四")
    entries = [
        (
            second,
            "10:00",
            {"company_name": "乙公司", "contact_name": "钱老板", "phone": "13800001111"},
            {"mode": "phone", "person_role": "staff", "outcome": "potential"},
        ),
        (
            owner,
            "11:00",
            {"company_name": "丙公司"},
            {"mode": "phone", "person_met": "孙总", "person_role": "staff", "outcome": "potential"},
        ),
        (
            owner,
            "09:00",
            {"company_name": "<b>甲</b>公司", "contact_name": "赵老板", "phone": "139-1234-0000"},
            {"mode": "in_person", "person_met": "王经理", "person_role": "executive", "outcome": "potential"},
        ),
    ]
    for rep, at, lead_fields, values in entries:
        time_machine.move_to(f"2026-11-26 {at}:00+08:00", tick=False)
        log_visit(actor=rep, lead=owned_lead(team, rep, **lead_fields), values=values)
    Visit.objects.filter(company_name="丙公司").update(lead=None)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    record_audit(actor=qc_user, sample=Sample.objects.get(visit__company_name="乙公司"), outcome="unreachable")
    return qc_user


def rows(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("qc:queue")).content.decode()
    return page.split('data-testid="queue-item"')[1:]


@pytest.mark.parametrize(
    ("language", "no_check_in", "attempt", "decision_maker"),
    [("en", "no check-in", "1 attempt", "Executive"), ("zh-hans", "未签到", "已尝试 1 次", "高管")],
)
def test_each_row_shows_its_own_visit_and_what_makes_it_doubtful(
    client, queue, owner, language, no_check_in, attempt, decision_maker
):
    client.force_login(queue)
    samples = {sample.visit.company_name: sample for sample in Sample.objects.select_related("visit")}

    first, second, third = rows(client, language)

    assert f'href="{reverse("qc:audit", args=[samples["<b>甲</b>公司"].pk])}">{escape("<b>甲</b>公司")}</a>' in first
    assert f"11-26 · {owner}" in first
    assert f"王经理 ({decision_maker})" in first
    assert "赵老板" in first
    assert 'href="tel:13912340000">139-1234-0000</a>' in first
    assert no_check_in in first
    assert attempt not in first
    # A phone call needs no check-in; nobody named is shown as a dash; the failed call is counted.
    assert f'href="{reverse("qc:audit", args=[samples["乙公司"].pk])}">乙公司</a>' in second
    assert "11-26 · 李四" in second
    assert "— (" in second
    assert no_check_in not in second
    assert "钱老板" in second
    assert 'href="tel:13800001111"' in second
    assert f'<span class="badge text-bg-warning">{attempt}</span>' in second
    # Without a lead there is no contact to call.
    assert "丙公司" in third
    assert "孙总" in third
    assert "tel:" not in third
    assert attempt not in third


def test_the_queue_reads_the_same_number_of_statements_for_3_and_20_rows(client, team, owner, qc_user, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy = policy_for(team)
    policy.qc_effective_rate = policy.qc_potential_rate = 100
    policy.save()
    client.force_login(qc_user)

    def statements_for_a_day_of(visits: int, day: int) -> int:
        for hour in range(visits):
            time_machine.move_to(f"2026-11-{day} {8 + hour // 2}:{30 * (hour % 2):02d}:00+08:00", tick=False)
            mode = "in_person" if hour % 2 else "phone"
            log_visit(
                actor=owner,
                lead=owned_lead(team, owner, phone=f"1390000{day}{hour:02d}"),
                values={"mode": mode, "person_met": "王总", "person_role": "owner", "outcome": "potential"},
            )
        time_machine.move_to(f"2026-11-{day + 1} 09:30:00+08:00", tick=False)
        draw_sample(team=team, day=date(2026, 11, day), actor=qc_user)
        with CaptureQueriesContext(connection) as statements:
            page = client.get(reverse("qc:queue"))
        assert page.content.decode().count('data-testid="queue-item"') == min(Sample.objects.count(), 20)
        return len(statements)

    assert statements_for_a_day_of(3, 23) == statements_for_a_day_of(17, 24)
