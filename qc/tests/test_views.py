from datetime import date

import pytest
from django.urls import reverse

from core.policy import policy_for
from core.tests.factories import assert_only_roles_reach
from leads.models import Lead
from leads.tests.factories import LeadFactory, owned_lead
from qc.models import Draw, Sample, SampleStatus
from qc.services import draw_sample, record_audit
from visits.models import Visit
from visits.services.entry import log_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}


@pytest.fixture
def sample(team, owner, qc_user, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    log_visit(actor=owner, lead=owned_lead(team, owner, contact_name="赵老板", phone="13912340000"), values=POTENTIAL)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    return Sample.objects.get()


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("qc:queue", {"qc_user", "admin_user"}),
        ("qc:draws", {"qc_user", "admin_user"}),
        ("qc:report", {"qc_user", "manager", "admin_user"}),
        ("qc:incidents", {"owner", "qc_user", "manager", "admin_user"}),
    ],
)
def test_each_qc_page_answers_only_the_roles_it_is_for(client, role_users, name, allowed):
    assert_only_roles_reach(client, reverse(name), role_users, allowed)


def test_the_queue_shows_what_the_check_needs(client, qc_user, sample):
    client.force_login(qc_user)

    page = client.get(reverse("qc:queue")).content.decode()

    assert "赵老板" in page
    assert "13912340000" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_and_the_audit_say_each_signal_in_the_readers_language(client, qc_user, sample, language):
    from django.utils import translation
    from django.utils.html import escape

    sample.signals = [
        {"code": "far_from_lead", "meters": 2300},
        {"code": "reused_photo", "visits": 4},
        {"code": "late_entry"},
        {"code": "<b>new</b>"},
    ]
    sample.save(update_fields=["signals"])
    client.force_login(qc_user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    with translation.override(language):
        expected = [
            translation.gettext("%(meters)s m from the lead's known place") % {"meters": 2300},
            translation.gettext("the same photo is on %(count)s visits") % {"count": 4},
            translation.gettext("entered after the cut-off"),
        ]
    for page in (reverse("qc:queue"), reverse("qc:audit", args=[sample.pk])):
        html = client.get(page).content.decode()
        assert all(f'ms-1">{escape(sentence)}</span>' in html for sentence in expected), page
        # A code the page does not know yet is shown as it is, escaped.
        assert 'ms-1">&lt;b&gt;new&lt;/b&gt;</span>' in html
    if language == "zh-hans":
        assert expected[:2] == ["距线索已知位置 2300 米", "同一张照片出现在 4 条拜访中"]


def test_qc_of_another_team_cannot_open_the_sample(client, other_team, sample):
    from core.models import Role
    from core.tests.factories import member

    client.force_login(member(other_team, Role.QC, username="other_qc"))

    assert client.get(reverse("qc:audit", args=[sample.pk])).status_code == 404


def test_recording_a_falsified_audit_in_the_page_asks_for_a_confirmation(client, qc_user, sample):
    client.force_login(qc_user)
    url = reverse("qc:audit", args=[sample.pk])

    unconfirmed = client.post(url, {"outcome": "falsified", "notes": "客户否认"})
    assert "请勾选确认" in unconfirmed.content.decode()
    assert "客户否认" in unconfirmed.content.decode()
    assert not Visit.objects.get().is_voided

    client.post(url, {"outcome": "falsified", "notes": "客户否认", "confirm_falsified": "on"})

    sample.refresh_from_db()
    assert sample.status == SampleStatus.FALSIFIED
    assert Visit.objects.get().is_voided


def test_after_an_audit_the_next_sample_opens(client, qc_user, team, owner, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    for name in ("甲公司", "乙公司"):
        log_visit(actor=owner, lead=owned_lead(team, owner, company_name=name), values=POTENTIAL)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    policy = policy_for(team)
    policy.qc_potential_rate = 100
    policy.save()
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    first, second = Sample.objects.order_by("visit__occurred_at", "pk")
    client.force_login(qc_user)

    response = client.post(reverse("qc:audit", args=[first.pk]), {"outcome": "verified"})
    assert response.url == reverse("qc:audit", args=[second.pk])
    last = client.post(reverse("qc:audit", args=[second.pk]), {"outcome": "unreachable"}, follow=True)
    assert "已记录核查结果。队列已清空。" in last.content.decode()


def test_a_draw_on_demand_from_the_page(client, qc_user, team, owner, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    client.force_login(qc_user)

    too_early = client.post(reverse("qc:draws"), {"team": team.pk, "day": "2026-11-27"})
    assert too_early.context["form"].non_field_errors()
    client.post(reverse("qc:draws"), {"team": team.pk, "day": "2026-11-26"})

    assert Sample.objects.count() == 1


def test_the_draw_form_offers_the_teams_the_qc_audits_and_keeps_the_chosen_one(client, qc_user, team, other_team):
    from core.models import Membership, Role
    from core.tests.factories import TeamFactory

    third = TeamFactory(name="<b>广州三区</b>")
    Membership.objects.create(user=qc_user, team=third, role=Role.QC)
    client.force_login(qc_user)

    page = client.get(reverse("qc:draws")).content.decode()
    chosen = client.post(reverse("qc:draws"), {"team": third.pk, "day": "not a day"}).content.decode()

    assert f'<option value="{team.pk}">杭州一区</option>' in page
    assert f'<option value="{third.pk}">&lt;b&gt;广州三区&lt;/b&gt;</option>' in page
    assert f'value="{other_team.pk}"' not in page
    assert f'<option value="{third.pk}" selected>' in chosen
    assert f'<option value="{team.pk}" selected>' not in chosen


def test_a_second_draw_says_it_tops_up_and_an_empty_day_draws_nothing(client, qc_user, team, owner, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    client.force_login(qc_user)
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    time_machine.move_to("2026-11-26 20:00:00+08:00", tick=False)
    for _ in range(3):
        log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL)
    time_machine.move_to("2026-11-27 10:00:00+08:00", tick=False)

    top_up = client.post(reverse("qc:draws"), {"team": team.pk, "day": "2026-11-26"}, follow=True).content.decode()
    assert "已抽过（已抽 1 条）：本次从尚未抽取的 3 条中补抽" in top_up

    empty = client.post(reverse("qc:draws"), {"team": team.pk, "day": "2026-11-25"}).content.decode()
    assert "2026-11-25 没有拜访，未抽取任何样本" in empty
    assert Draw.objects.filter(day="2026-11-25").count() == 0


def test_a_rep_sees_qc_not_the_auditor_on_their_integrity_record(client, qc_user, owner, sample):
    record_audit(actor=qc_user, sample=sample, outcome="falsified", notes="客户否认", confirmed=True)
    client.force_login(owner)

    page = client.get(reverse("qc:incidents")).content.decode()

    assert "客户否认" in page
    assert str(qc_user) not in page


def test_qc_can_call_the_contact_typed_on_a_collision_visit(client, team, owner, teammate, qc_user, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    owned_lead(team, teammate, company_name="杭州乙商贸有限公司", company_key="杭州乙商贸")
    cold = {"company_name": "杭州乙商贸有限公司", "contact_name": "钱经理", "phone": "13812345678"}
    log_visit(actor=owner, values=POTENTIAL, cold=cold)
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    draw_sample(team=team, day=date(2026, 11, 26), actor=qc_user)
    client.force_login(qc_user)

    page = client.get(reverse("qc:audit", args=[Sample.objects.get().pk])).content.decode()

    assert "钱经理" in page
    assert 'href="tel:13812345678"' in page


def test_a_rep_cannot_tell_which_visits_are_pending_audit(client, owner, sample):
    client.force_login(owner)

    pages = [
        client.get(reverse("visits:detail", args=[sample.visit.pk])).content.decode(),
        client.get(reverse("visits:list")).content.decode(),
        client.get(reverse("home")).content.decode(),
    ]

    for page in pages:
        for word in ("抽检", "品控", "sample", "audit"):
            assert word not in page.lower()
    assert client.get(reverse("qc:audit", args=[sample.pk])).status_code == 403


def test_qc_is_read_only_on_visits_and_leads(client, qc_user, team, owner, sample):
    lead = sample.visit.lead
    public = LeadFactory(team=team)
    client.force_login(qc_user)
    before = (list(Lead.objects.values_list("pk", "owner_id", "state")), Visit.objects.count())

    posts = [
        (reverse("pools:claim", args=[public.pk]), {}),
        (reverse("pools:keep", args=[lead.pk]), {}),
        (reverse("pools:return", args=[lead.pk]), {"reason": "x"}),
        (reverse("leads:convert", args=[lead.pk]), {}),
        (reverse("leads:close", args=[lead.pk]), {"reason": "no_need"}),
        (reverse("leads:reopen", args=[lead.pk]), {}),
        (reverse("leads:create"), {"company_name": "杭州新公司"}),
        (reverse("pools:assign"), {"team": team.pk, "rep": owner.pk, "leads": [public.pk]}),
        (reverse("leads:import"), {}),
        (reverse("visits:log"), {"kind": "cold", "company_name": "x", **POTENTIAL}),
        (reverse("visits:edit", args=[sample.visit.pk]), {**POTENTIAL, "reason": "x"}),
        (reverse("visits:plan"), {"lead": lead.pk}),
        (reverse("visits:note"), {"win": "x"}),
        (reverse("pools:allocation"), {"team": team.pk, "action": "allocate"}),
        (reverse("policy"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url

    assert (list(Lead.objects.values_list("pk", "owner_id", "state")), Visit.objects.count()) == before


def test_a_draw_states_its_budget_before_it_runs(client, qc_user, team, owner, time_machine):
    time_machine.move_to("2026-11-26 15:00:00+08:00", tick=False)
    for _ in range(10):
        log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL)
    policy = policy_for(team)
    policy.qc_potential_rate, policy.qc_minimum_per_rep = 20, 1
    policy.save()
    time_machine.move_to("2026-11-27 09:30:00+08:00", tick=False)
    client.force_login(qc_user)

    page = client.post(reverse("qc:draws"), {"team": team.pk, "day": "2026-11-26", "budget": "1"}).content.decode()

    assert "从尚未抽取的 10 条拜访中核查 2 条" in page
    assert not Sample.objects.exists()
