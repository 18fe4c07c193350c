import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.tests.factories import assert_only_roles_reach
from leads.models import EventKind, Lead, LeadEvent, LeadState
from leads.tests.factories import owned_lead
from visits.models import Visit, VisitPlan
from visits.services.entry import log_visit

POTENTIAL = {"mode": "in_person", "person_role": "staff", "outcome": "potential"}


@pytest.fixture
def visits(team, other_team, owner, teammate, outsider):
    return {
        "own": log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit,
        "teammate": log_visit(actor=teammate, lead=owned_lead(team, teammate), values=POTENTIAL).visit,
        "outsider": log_visit(actor=outsider, lead=owned_lead(other_team, outsider), values=POTENTIAL).visit,
    }


def test_a_rep_sees_only_their_own_visits(client, owner, visits):
    client.force_login(owner)

    assert client.get(reverse("visits:detail", args=[visits["own"].pk])).status_code == 200
    for other in ("teammate", "outsider"):
        assert client.get(reverse("visits:detail", args=[visits[other].pk])).status_code == 404
        assert client.get(reverse("visits:edit", args=[visits[other].pk])).status_code == 404
    listed = [visit.pk for visit in client.get(reverse("visits:list")).context["page"]]
    assert listed == [visits["own"].pk]


def test_a_manager_sees_the_teams_visits_and_not_others(client, manager, visits):
    client.force_login(manager)

    assert client.get(reverse("visits:detail", args=[visits["teammate"].pk])).status_code == 200
    assert client.get(reverse("visits:detail", args=[visits["outsider"].pk])).status_code == 404
    assert client.get(reverse("visits:edit", args=[visits["teammate"].pk])).status_code == 403
    listed = {visit.pk for visit in client.get(reverse("visits:list")).context["page"]}
    assert listed == {visits["own"].pk, visits["teammate"].pk}


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("visits:log", {"owner"}),
        ("visits:plan", {"owner"}),
        ("visits:list", {"owner", "manager", "qc_user", "admin_user"}),
        ("reports:meeting", {"manager", "qc_user", "admin_user"}),
        ("reports:compliance", {"manager", "admin_user"}),
    ],
)
def test_each_visit_page_answers_only_the_roles_it_is_for(client, role_users, name, allowed):
    assert_only_roles_reach(client, reverse(name), role_users, allowed)


def test_qc_cannot_log_edit_or_plan(client, qc_user, visits):
    client.force_login(qc_user)

    assert client.post(reverse("visits:log"), {"kind": "cold", "company_name": "x", **POTENTIAL}).status_code == 403
    assert client.post(reverse("visits:edit", args=[visits["own"].pk]), POTENTIAL).status_code == 403
    assert client.post(reverse("visits:note"), {"win": "x"}).status_code == 403
    assert Visit.objects.count() == 3


def test_logging_a_visit_from_the_form(client, owner, team):
    lead = owned_lead(team, owner)
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {
            "kind": "lead",
            "lead": lead.pk,
            **POTENTIAL,
            "latitude": "30.274084",
            "longitude": "120.155070",
            "accuracy": "15",
        },
        follow=True,
    )

    visit = Visit.objects.get()
    assert visit.lead == lead
    assert (str(visit.latitude), visit.accuracy_meters) == ("30.274084", 15)
    assert response.context["summary"].in_person == 1


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, owner, team):
    lead = owned_lead(team, owner)
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {
            "kind": "lead",
            "lead": lead.pk,
            "mode": "in_person",
            "person_role": "staff",
            "outcome": "effective",
            "notes": "聊了很久",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "聊了很久" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_cold_visit_from_the_form(client, owner, team):
    client.force_login(owner)

    client.post(
        reverse("visits:log"),
        {"kind": "cold", "company_name": "杭州扫楼发现有限公司", "phone": "13600000000", **POTENTIAL},
    )

    assert Visit.objects.get().lead.owner == owner


def test_tomorrows_plan_shows_on_tomorrows_today(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    lead = owned_lead(team, owner, company_name="杭州明天去公司")
    client.force_login(owner)

    client.post(reverse("visits:plan"), {"lead": lead.pk, "purpose": "带合同"})
    assert VisitPlan.objects.get().day.isoformat() == "2026-11-28"

    time_machine.move_to("2026-11-28 08:00:00+08:00", tick=False)
    page = client.get(reverse("home")).content.decode()
    assert "杭州明天去公司" in page
    assert "带合同" in page


def test_the_daily_note_reaches_the_evening_meeting(client, owner, manager, team, time_machine):
    time_machine.move_to("2026-11-27 18:00:00+08:00", tick=False)
    client.force_login(owner)
    client.post(reverse("visits:note"), {"win": "签下华润店", "difficulty": "前台拦截"})
    # Today gives the rep what they wrote, to change it before the meeting; the next day starts blank.
    today = client.get(reverse("home")).context["note_form"]
    assert (today["win"].value(), today["difficulty"].value()) == ("签下华润店", "前台拦截")
    time_machine.move_to("2026-11-28 09:00:00+08:00", tick=False)
    tomorrow = client.get(reverse("home")).context["note_form"]
    assert (tomorrow["win"].value(), tomorrow["difficulty"].value()) == (None, None)
    time_machine.move_to("2026-11-27 18:30:00+08:00", tick=False)

    client.force_login(manager)
    page = client.get(reverse("reports:meeting")).content.decode()

    assert "签下华润店" in page
    assert "前台拦截" in page


def test_a_reps_daily_note_shows_on_their_today_only(client, owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 18:00:00+08:00", tick=False)
    client.force_login(teammate)
    blank_first = client.get(reverse("home")).content.decode()
    client.force_login(owner)
    client.post(reverse("visits:note"), {"win": "签下<华润>店", "difficulty": ""})

    own = client.get(reverse("home")).content.decode()
    client.force_login(teammate)
    blank_after = client.get(reverse("home")).content.decode()

    assert 'name="win" value="签下&lt;华润&gt;店"' in own.replace("&#34;", '"')
    assert "华润" not in blank_first
    assert "华润" not in blank_after
    assert '<input type="text" name="win" maxlength="300" class="form-control" id="id_win">' in blank_after


def test_todays_rows_show_each_reps_own_leads_and_visits_escaped_in_their_teams_time(
    client, owner, teammate, team, time_machine
):
    """Today's rows are written once per language and filled row by row: each rep sees their own leads and visits,
    escaped, a visit's time in the team's time zone, and a voided visit marked as such."""
    team.time_zone = "Asia/Tokyo"  # an hour ahead of Shanghai
    team.save()
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    mine = owned_lead(team, owner, company_name="<华润>店")
    theirs = owned_lead(team, teammate, company_name="李记")
    log_visit(actor=teammate, lead=theirs, values=POTENTIAL)
    voided = log_visit(actor=owner, lead=mine, values=POTENTIAL).visit
    Visit.objects.filter(pk=voided.pk).update(is_voided=True)
    Lead.objects.update(resolve_deadline=timezone.now() + timedelta(hours=3))  # both close to reclaim

    client.force_login(teammate)
    first = client.get(reverse("home")).content.decode()
    client.force_login(owner)
    own = client.get(reverse("home"), headers={"accept-language": "en"}).content.decode()
    client.force_login(teammate)
    after = client.get(reverse("home")).content.decode()

    assert (
        f'<a href="/leads/{mine.pk}/">&lt;华润&gt;店</a> <span class="badge text-bg-warning">3\xa0hours left</span>'
        in own
    )
    assert f'href="/visits/new/?lead={mine.pk}" data-testid="log-row" aria-label="Log a visit to &lt;华润&gt;店"' in own
    assert f'<a href="/visits/{voided.pk}/">16:00 &lt;华润&gt;店</a>' in own
    assert '· In person · Potential customer · <span class="text-danger">voided</span>' in own
    assert "李记" not in own
    for page in (first, after):
        assert "华润" not in page
        assert 'aria-label="记录对李记的拜访"' in page
        assert re.search(r'">16:00 李记</a>\s+· 上门拜访 · 潜在客户\s+</li>', page)


def test_the_amend_page_records_an_amendment_after_the_cut_off(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    visit = log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL).visit
    client.force_login(owner)
    time_machine.move_to("2026-11-28 09:00:00+08:00", tick=False)

    refused = client.post(reverse("visits:edit", args=[visit.pk]), {**POTENTIAL, "notes": "补充"})
    assert refused.status_code == 200
    client.post(reverse("visits:edit", args=[visit.pk]), {**POTENTIAL, "notes": "补充", "reason": "漏写"})

    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "漏写" in page
    assert "补充" in page


def test_compliance_counts_today_only_after_the_entry_cut_off(client, manager, owner, team, time_machine):
    client.force_login(manager)

    this_week = {"week": "2026-11-23"}
    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)  # a Friday
    days = [day.isoformat() for day in client.get(reverse("reports:compliance"), this_week).context["days"]]
    assert days[-1] == "2026-11-26"

    time_machine.move_to("2026-11-27 23:30:00+08:00", tick=False)
    days = [day.isoformat() for day in client.get(reverse("reports:compliance"), this_week).context["days"]]
    assert days[-1] == "2026-11-27"


def test_todays_plan_marks_the_leads_already_visited_today(client, owner, team, time_machine):
    time_machine.move_to("2026-11-28 08:00:00+08:00", tick=False)
    visited = owned_lead(team, owner, company_name="杭州已去公司")
    waiting = owned_lead(team, owner, company_name="杭州未去公司")
    for lead in (visited, waiting):
        VisitPlan.objects.create(rep=owner, lead=lead, day="2026-11-28")
    log_visit(actor=owner, lead=visited, values=POTENTIAL)
    client.force_login(owner)

    plan = client.get(reverse("home")).context["summary"].plan

    assert {item.lead.company_name: done for item, done in plan} == {"杭州已去公司": True, "杭州未去公司": False}


def test_a_visit_is_logged_from_the_lead_page_with_the_lead_chosen(client, owner, team):
    lead = owned_lead(team, owner, company_name="杭州从线索页公司")
    client.force_login(owner)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    entry = f"{reverse('visits:log')}?lead={lead.pk}"
    assert entry in page
    assert entry in client.get(reverse("pools:mine")).content.decode()

    form = client.get(entry).content.decode()
    assert f'<option value="{lead.pk}" selected>杭州从线索页公司</option>' in form


def test_after_a_cold_visit_in_a_building_the_next_one_starts_in_the_same_building(client, owner, team):
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {
            "kind": "cold",
            "company_name": "杭州扫楼一号公司",
            "building": "星河大厦 A座",
            "district": "滨江区",
            **POTENTIAL,
        },
    )
    assert Lead.objects.get(company_name="杭州扫楼一号公司").district == "滨江区"
    today = client.get(response.url).content.decode()
    assert "在星河大厦 A座再记一次陌拜" in today

    another = re.search(r'href="([^"]+)" data-testid="log-another"', today).group(1).replace("&amp;", "&")
    form = client.get(another).content.decode()
    assert 'value="cold" class="form-check-input" id="id_kind_1" required checked' in form
    assert 'name="building" value="星河大厦 A座"' in form
    assert 'name="district" value="滨江区"' in form


def test_today_says_what_is_left_to_reach_the_target(client, owner, team, time_machine):
    from core.policy import policy_for

    time_machine.move_to("2026-11-27 15:00:00+08:00", tick=False)
    policy = policy_for(team)
    policy.daily_visit_target, policy.daily_effective_target = 3, 1
    policy.save()
    log_visit(actor=owner, lead=owned_lead(team, owner), values=POTENTIAL)
    client.force_login(owner)

    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.get(reverse("home")).content.decode()

    assert "To reach today's target: 2 more visits, 1 more effective</p>" in page


def test_a_visit_entered_after_the_cut_off_says_at_once_that_it_is_late(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 23:30:00+08:00", tick=False)
    lead = owned_lead(team, owner)
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {"kind": "lead", "lead": lead.pk, "occurred_at": "2026-11-27T15:00", **POTENTIAL},
        follow=True,
    )

    assert "已保存，并标记为迟录" in response.content.decode()
    assert Visit.objects.get().is_late


def test_a_cold_visit_with_a_phone_that_is_no_phone_number_is_refused_keeping_what_was_typed(client, owner, team):
    client.force_login(owner)

    response = client.post(
        reverse("visits:log"),
        {"kind": "cold", "company_name": "杭州电话错误公司", "phone": "abc", "notes": "三楼前台", **POTENTIAL},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Abc 不是有效的电话号码" in page
    assert 'value="杭州电话错误公司"' in page
    assert "三楼前台" in page
    assert not Visit.objects.exists()


def test_tomorrows_plan_takes_eight_ticked_leads_in_one_submit_grouped_by_building(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    towers = [
        owned_lead(
            team,
            owner,
            company_name=f"公司{number}",
            district="西湖区",
            building=f"{number % 2}号楼",
            address=f"文三路{number}号",
        )
        for number in range(8)
    ]
    client.force_login(owner)
    url = reverse("visits:plan")

    page = client.get(url).content.decode()
    assert page.index("西湖区 0号楼") < page.index("公司0") < page.index("公司2") < page.index("西湖区 1号楼")
    assert "文三路7号" in page

    response = client.post(url, {"lead": [lead.pk for lead in towers], "purpose": "送资料"}, follow=True)

    assert "已添加 8 个拜访到计划" in response.content.decode()
    assert VisitPlan.objects.filter(rep=owner, day="2026-11-28", purpose="送资料").count() == 8
    assert "您名下的线索都已在此计划中" in client.get(url).content.decode()  # planned leads leave the choices


def test_adding_with_nothing_ticked_adds_nothing_and_says_so(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    owned_lead(team, owner, company_name="阿尔法公司")
    client.force_login(owner)

    response = client.post(reverse("visits:plan"), {"purpose": ""}, follow=True)

    assert "请至少勾选一条线索" in response.content.decode()
    assert not VisitPlan.objects.exists()


def test_a_colleagues_lead_cannot_be_slipped_into_my_plan(client, owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    mine = owned_lead(team, owner)
    theirs = owned_lead(team, teammate)
    client.force_login(owner)

    response = client.post(reverse("visits:plan"), {"lead": [mine.pk, theirs.pk]}, follow=True)

    assert "只能把自己的线索加入计划" in response.content.decode()
    assert not VisitPlan.objects.exists()


def test_the_route_is_reordered_from_the_page(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    leads = [owned_lead(team, owner, company_name=name) for name in ("甲公司", "乙公司")]
    client.force_login(owner)
    url = reverse("visits:plan")
    client.post(url, {"lead": [lead.pk for lead in leads]})

    client.post(url, {"later": VisitPlan.objects.get(lead=leads[0]).pk, "day": "2026-11-28"})

    page = client.get(url).content.decode()
    assert page.index("乙公司") < page.index("甲公司")


def test_the_plan_search_narrows_the_choices(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 21:00:00+08:00", tick=False)
    owned_lead(team, owner, company_name="甲公司", building="金座")
    owned_lead(team, owner, company_name="乙公司", building="银座")
    client.force_login(owner)

    buildings = client.get(reverse("visits:plan"), {"q": "金座"}).context["buildings"]

    assert [[lead.company_name for lead in leads] for _place, leads in buildings] == [["甲公司"]]


def test_the_form_groups_the_leads_plan_first_then_close_to_reclaim(client, owner, team):
    now = timezone.now()
    planned = owned_lead(team, owner, company_name="甲 计划公司", resolve_deadline=now + timedelta(hours=2))
    soon = owned_lead(team, owner, company_name="乙 快到期公司", follow_up_deadline=now + timedelta(hours=20))
    followed = owned_lead(
        team, owner, company_name="丙 已跟进公司", follow_up_deadline=now + timedelta(hours=1), last_follow_up_at=now
    )
    kept = owned_lead(team, owner, LeadState.PRIVATE, company_name="丁 私海公司")
    VisitPlan.objects.create(rep=owner, lead=planned, day=timezone.localdate())
    client.force_login(owner)

    groups = dict(client.get(reverse("visits:log")).context["form"].fields["lead"].choices[1:])

    assert [pk for pk, _label in groups["今日计划"]] == [planned.pk]
    assert [pk for pk, _label in groups["即将被收回"]] == [soon.pk]
    # A lead already followed up waits for its resolution deadline (days away); a private lead has none.
    assert {pk for pk, _label in groups["我的其他线索"]} == {followed.pk, kept.pk}


def _moved_to(lead, teammate, at):
    LeadEvent.objects.create(
        lead=lead,
        team=lead.team,
        kind=EventKind.RECLAIMED,
        from_state=LeadState.ASSIGNED,
        to_state=LeadState.ASSIGNED,
        from_owner=lead.owner,
        to_owner=teammate,
        created_at=at,
    )
    Lead.objects.filter(pk=lead.pk).update(owner=teammate)


def test_the_form_offers_a_lead_taken_from_the_rep_within_the_day_and_not_later(client, owner, teammate, team):
    now = timezone.now()
    kept = owned_lead(team, owner, company_name="甲 仍是我的公司")
    moved_today = owned_lead(team, owner, company_name="乙 今天被收回公司")
    moved_before = owned_lead(team, owner, company_name="丙 前天被收回公司")
    _moved_to(moved_today, teammate, now - timedelta(hours=3))
    _moved_to(moved_before, teammate, now - timedelta(days=2))
    client.force_login(owner)

    def offered():
        choices = client.get(reverse("visits:log")).context["form"].fields["lead"].choices[1:]
        return {pk for _group, options in choices for pk, _label in options}

    # A visit made before the lead moved may still be entered on it that day (see ENTRY_AFTER_LEAVING).
    assert offered() == {kept.pk, moved_today.pk}
    _moved_to(kept, teammate, now - timedelta(days=2))  # now every lead of the rep has moved
    assert offered() == {moved_today.pk}


def test_the_form_shown_again_and_again_is_the_markup_django_gives_each_field(client, owner, team):
    from django.forms.boundfield import BoundField

    from visits.forms import VisitForm

    client.force_login(owner)
    for language, mode in (("zh-hans", "方式"), ("en", "Mode"), ("zh-hans", "方式")):
        page = client.get(reverse("visits:log"), headers={"accept-language": language}).content.decode()
        assert f'requiredField">{mode}<span class="asteriskField">' in page
        with translation.override(language):
            form = VisitForm(lead_choices=[])
            for name in VisitForm.markup_alike_for_all:
                # Each field is on the page as a whole group (label, widget, help) or as its widget alone.
                bound = form[name]
                assert str(bound) == BoundField.__str__(bound), name
                group = None if bound.is_hidden else bound.as_field_group()
                assert group == (None if bound.is_hidden else BoundField.as_field_group(bound)), name
                assert (group or str(bound)) in page or str(bound) in page, name


def test_a_field_with_a_value_of_its_own_is_not_shown_as_the_empty_form_showed_it(client, owner, team):
    client.force_login(owner)
    empty = 'value="lead" class="form-check-input" id="id_kind_0" required checked'
    cold = 'value="cold" class="form-check-input" id="id_kind_1" required checked'

    assert empty in client.get(reverse("visits:log")).content.decode()
    from_the_lead_page = client.get(reverse("visits:log"), {"company": "杭州退回的公司"}).content.decode()
    assert cold in from_the_lead_page
    assert 'name="company_name" value="杭州退回的公司"' in from_the_lead_page
    posted = client.post(reverse("visits:log"), {"kind": "cold", "person_met": "李经理", **POTENTIAL}).content.decode()
    assert "请输入拜访的公司。" in posted
    assert 'name="person_met" value="李经理"' in posted
    again = client.get(reverse("visits:log")).content.decode()
    assert empty in again
    assert 'name="company_name" value=' not in again
    assert "李经理" not in again
