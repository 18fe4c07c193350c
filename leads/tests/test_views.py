import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.policy import policy_for
from core.tests.factories import assert_only_roles_reach
from leads.models import Collision, EventKind, Lead, LeadEvent, LeadImport, LeadState
from leads.tests.factories import LeadFactory, owned_lead


@pytest.fixture
def leads(team, other_team, owner, teammate, outsider):
    return {
        "owned": owned_lead(team, owner),
        "teammate": owned_lead(team, teammate),
        "public": LeadFactory(team=team, phone="13912345678"),
        "other_team": LeadFactory(team=other_team),
        "outsider": owned_lead(other_team, outsider),
    }


LEAD_PAGES = ["leads:detail", "pools:keep", "leads:close"]
LEAD_ACTIONS = ["pools:claim", "pools:return", "leads:convert", "leads:unconvert", "leads:reopen"]


@pytest.mark.parametrize("name", [*LEAD_PAGES, "pools:return"])
def test_a_rep_reaching_another_reps_lead_by_url_gets_404(client, owner, leads, name):
    client.force_login(owner)
    method = client.get if name in LEAD_PAGES else client.post

    for other in ("teammate", "other_team", "outsider"):
        assert method(reverse(name, args=[leads[other].pk])).status_code == 404, other


def test_a_rep_claiming_outside_their_team_gets_404_and_reopening_is_for_managers(client, owner, leads):
    client.force_login(owner)

    assert client.post(reverse("pools:claim", args=[leads["other_team"].pk])).status_code == 404
    assert client.post(reverse("leads:reopen", args=[leads["owned"].pk])).status_code == 403


@pytest.mark.parametrize("name", LEAD_PAGES)
def test_a_manager_reaches_their_teams_leads_and_not_others(client, manager, leads, name):
    client.force_login(manager)

    assert client.get(reverse("leads:detail", args=[leads["teammate"].pk])).status_code == 200
    assert client.get(reverse(name, args=[leads["outsider"].pk])).status_code in (403, 404)
    assert client.get(reverse("leads:detail", args=[leads["outsider"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("pools:pool", {"owner", "manager", "admin_user"}),
        ("pools:mine", {"owner"}),
        ("leads:export_mine", {"owner"}),
        ("leads:create", {"owner", "manager", "admin_user"}),
        ("pools:team", {"manager", "admin_user"}),
        ("pools:export_team", {"manager", "admin_user"}),
        ("leads:import", {"manager", "admin_user"}),
        ("leads:collisions", {"manager", "admin_user"}),
        ("policy", {"manager", "admin_user"}),
    ],
)
def test_each_page_answers_only_the_roles_it_is_for(client, role_users, name, allowed):
    assert_only_roles_reach(client, reverse(name), role_users, allowed)
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_qc_reads_a_lead_of_its_team_but_cannot_act_on_it(client, qc_user, leads):
    client.force_login(qc_user)
    lead = leads["owned"]

    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 200
    for name in LEAD_ACTIONS:
        assert client.post(reverse(name, args=[lead.pk])).status_code == 403
    assert client.post(reverse("leads:close", args=[lead.pk]), {"reason": "no_need"}).status_code == 403


def test_the_pool_masks_phones_and_a_claim_reveals_them(client, owner, leads):
    client.force_login(owner)
    lead = leads["public"]

    page = client.get(reverse("pools:pool")).content.decode()
    assert "13*******78" in page
    assert "13912345678" not in page
    assert leads["other_team"].company_name not in page

    response = client.post(reverse("pools:claim", args=[lead.pk]), follow=True)
    assert "13912345678" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == owner


def test_the_pool_searches_by_company_area_and_industry(client, owner, team):
    LeadFactory(team=team, company_name="杭州甲餐饮有限公司", district="滨江区", industry="餐饮")
    LeadFactory(team=team, company_name="杭州乙商贸有限公司", district="西湖区", industry="零售")
    client.force_login(owner)

    def found(**query):
        return [lead.company_name for lead in client.get(reverse("pools:pool"), query).context["page"]]

    assert found(q="甲餐饮") == ["杭州甲餐饮有限公司"]
    assert found(area="西湖") == ["杭州乙商贸有限公司"]
    assert found(industry="零售") == ["杭州乙商贸有限公司"]


def test_a_claim_lost_to_a_colleague_shows_a_clear_message(client, owner, teammate, team):
    lead = LeadFactory(team=team)
    client.force_login(owner)
    assert lead.company_name in client.get(reverse("pools:pool")).content.decode()
    Lead.objects.filter(pk=lead.pk).update(state=LeadState.ASSIGNED, owner=teammate)  # a colleague was quicker

    response = client.post(reverse("pools:claim", args=[lead.pk]), follow=True)

    assert "Someone else claimed" in response.content.decode() or "已被其他人" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == teammate


def test_my_leads_shows_time_left_and_the_private_count(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    owned_lead(team, owner)
    owned_lead(team, owner, state=LeadState.PRIVATE)
    client.force_login(owner)
    time_machine.move_to("2026-11-28 23:00:00+08:00", tick=False)

    page = client.get(reverse("pools:mine")).content.decode()

    assert "10" in page
    assert "小时" in page
    assert "1 / 30" in page


def test_keeping_at_the_cap_offers_a_picker_and_swaps(client, owner, team):
    policy = policy_for(team)
    policy.private_cap = 1
    policy.save()
    old = owned_lead(team, owner, state=LeadState.PRIVATE)
    new = owned_lead(team, owner)
    client.force_login(owner)

    picker = client.get(reverse("pools:keep", args=[new.pk]))
    assert old.company_name in picker.content.decode()

    refused = client.post(reverse("pools:keep", args=[new.pk]))
    assert refused.status_code == 200
    assert "1/1" in refused.content.decode()

    client.post(reverse("pools:keep", args=[new.pk]), {"give_back": old.pk})
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (LeadState.PUBLIC, LeadState.PRIVATE)


def test_returning_without_a_reason_keeps_the_lead(client, owner, leads):
    client.force_login(owner)
    lead = leads["owned"]
    page = client.get(lead.get_absolute_url()).content.decode()
    form = page[page.index('id="return"') : page.index("</form>", page.index('id="return"'))]
    assert '<label for="id_reason" class="form-label requiredField">退回原因' in form
    assert '<input type="text" name="reason" maxlength="255" class="form-control" required id="id_reason">' in form

    client.post(reverse("pools:return", args=[lead.pk]), {"reason": ""})
    lead.refresh_from_db()
    assert lead.owner == owner

    client.post(reverse("pools:return", args=[lead.pk]), {"reason": "公司已搬走"})
    lead.refresh_from_db()
    assert lead.state == LeadState.PUBLIC


def test_closing_other_without_details_shows_the_error(client, owner, leads):
    client.force_login(owner)
    lead = leads["owned"]

    response = client.post(reverse("leads:close", args=[lead.pk]), {"reason": "other", "note": ""})

    assert response.status_code == 200
    assert response.context["form"].errors
    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED


def test_the_timeline_lists_every_event(client, owner, manager, team):
    lead = LeadFactory(team=team)
    client.force_login(owner)
    client.post(reverse("pools:claim", args=[lead.pk]))
    client.post(reverse("pools:keep", args=[lead.pk]))

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    assert [event.kind for event in response.context["events"]] == [EventKind.CLAIMED, EventKind.KEPT]


def test_a_manager_assigns_in_bulk_from_the_team_view(client, manager, owner, team):
    pool = LeadFactory.create_batch(3, team=team)
    client.force_login(manager)

    response = client.post(
        reverse("pools:assign"), {"team": team.pk, "rep": owner.pk, "leads": [lead.pk for lead in pool]}, follow=True
    )

    assert response.status_code == 200
    assert Lead.objects.filter(owner=owner, state=LeadState.ASSIGNED).count() == 3


def test_the_team_view_filters_by_owner_and_due_soon(client, manager, owner, teammate, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    soon = owned_lead(team, owner)
    owned_lead(team, teammate)
    client.force_login(manager)

    by_owner = client.get(reverse("pools:team"), {"owner": owner.pk}).context["page"]
    assert [lead.pk for lead in by_owner] == [soon.pk]

    time_machine.move_to("2026-11-28 20:00:00+08:00", tick=False)
    due = client.get(reverse("pools:team"), {"due_within_hours": 24}).context["page"]
    assert len(due) == 2


def test_a_rep_adds_a_lead_and_a_duplicate_names_its_owner(client, owner, teammate, manager, team):
    owned_lead(team, teammate, company_name="杭州华鑫商贸有限公司", company_key="杭州华鑫商贸")
    client.force_login(owner)

    response = client.post(reverse("leads:create"), {"company_name": "杭州华鑫商贸", "priority": 0})

    assert str(teammate) in response.content.decode()
    assert Collision.objects.count() == 1
    client.force_login(manager)
    assert "杭州华鑫商贸" in client.get(reverse("leads:collisions")).content.decode()


def test_the_import_flow_previews_then_adds(client, manager, team):
    client.force_login(manager)
    upload = io.BytesIO("公司名称,手机\r\n杭州甲公司,13900000001\r\n,13900000002\r\n".encode("gb18030"))
    upload.name = "名单.csv"

    preview = client.post(reverse("leads:import"), {"team": team.pk, "file": upload}, follow=True)

    assert preview.context["summary"]["bad_rows"][0]["number"] == 3
    assert not Lead.objects.exists()
    client.post(reverse("leads:import_preview", args=[LeadImport.objects.get().pk]))
    assert list(Lead.objects.values_list("company_name", flat=True)) == ["杭州甲公司"]


def test_an_upload_that_is_not_a_csv_gets_a_message_and_adds_nothing(client, manager, team):
    client.force_login(manager)
    upload = io.BytesIO(b"PK\x03\x04 a workbook")
    upload.name = "leads.xlsx"

    response = client.post(reverse("leads:import"), {"team": team.pk, "file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not LeadImport.objects.exists()


def test_the_team_export_is_a_bom_csv_of_the_filtered_list(client, manager, owner, team):
    owned_lead(team, owner, company_name="杭州导出公司")
    LeadFactory(team=team, company_name="杭州公海公司")
    client.force_login(manager)

    response = client.get(reverse("pools:export_team"), {"state": LeadState.ASSIGNED})

    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["杭州导出公司"]


def test_the_policy_page_refuses_a_minimum_above_the_maximum(client, manager, team):
    client.force_login(manager)
    form = client.get(reverse("policy")).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "id"}
    data |= {"allocation_min": 60, "allocation_max": 40}
    data = {name: ("on" if value is True else value) for name, value in data.items() if value is not False}

    response = client.post(reverse("policy"), data)

    assert response.status_code == 200
    assert "allocation_min" in response.context["form"].errors
    assert policy_for(team).allocation_min == 30

    data |= {"allocation_min": 35, "allocation_max": 45}
    assert client.post(reverse("policy"), data).status_code == 302
    assert policy_for(team).allocation_min == 35


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["pools:pool", "pools:mine", "pools:team"])
def test_list_pages_run_the_same_queries_at_100_and_10000_leads(client, owner, manager, team, url_name):
    user = manager if url_name == "pools:team" else owner

    def grow_to(total):
        missing = total - Lead.objects.count()
        pool = [LeadFactory.build(team=team) for _ in range(missing * 9 // 10)]
        mine = [LeadFactory.build(team=team, owner=owner, state=LeadState.ASSIGNED) for _ in range(missing - len(pool))]
        Lead.objects.bulk_create(pool + mine)

    client.force_login(user)
    grow_to(100)
    client.get(reverse(url_name))  # the first visit creates the team's policy
    small = count_queries(client, reverse(url_name))
    grow_to(10_000)
    large = count_queries(client, reverse(url_name))

    assert small == large


def test_every_visit_to_a_lead_in_a_list_writes_no_event(client, owner, leads):
    client.force_login(owner)
    before = LeadEvent.objects.count()

    client.get(reverse("pools:mine"))
    client.get(reverse("leads:detail", args=[leads["owned"].pk]))

    assert LeadEvent.objects.count() == before


def test_an_import_is_seen_only_by_managers_of_its_team(client, manager, other_manager, owner, team):
    lead_import = LeadImport.objects.create(
        team=team, uploaded_by=manager, file_name="x.csv", encoding="utf-8", content="公司名称\n杭州甲公司\n"
    )
    url = reverse("leads:import_preview", args=[lead_import.pk])

    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(owner)
    assert client.post(url).status_code == 403
    assert not Lead.objects.exists()


def test_the_deadline_badge_warns_inside_the_teams_own_reminder_window(client, owner, team, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    policy = policy_for(team)
    lead = owned_lead(team, owner)  # first follow-up due at 09:00 on the 29th
    client.force_login(owner)
    time_machine.move_to("2026-11-28 15:00:00+08:00", tick=False)  # 18 hours left

    def badge():
        page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        return page.split('data-testid="lead-state"')[1].split("</p>")[0]

    policy.remind_before_hours = 12
    policy.save()
    assert "text-bg-warning" not in badge()
    policy.remind_before_hours = 24
    policy.save()
    assert "text-bg-warning" in badge()


# Hypothesis bounds aware datetimes by naive ones and adds the time zone itself.
_YEARS = {"min_value": datetime(2026, 1, 1), "max_value": datetime(2030, 12, 31)}  # noqa: DTZ001


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(**_YEARS, timezones=st.just(UTC)),
    # Up to two months, and more often near four weeks and a month, where the calendar starts to count.
    seconds=st.integers(min_value=0, max_value=60 * 86400) | st.integers(min_value=27 * 86400, max_value=32 * 86400),
    language=st.sampled_from(["zh-hans", "en"]),
)
def test_the_time_left_on_a_badge_reads_as_djangos_timeuntil_whatever_the_moment(start, seconds, language):
    from django.utils import translation
    from django.utils.timesince import timeuntil

    from leads.templatetags.leads_tags import time_left

    deadline = start + timedelta(seconds=seconds)
    with translation.override(language):
        assert time_left(deadline, start) == timeuntil(deadline, start, depth=2)


def test_a_rep_has_no_convert_and_is_told_how_a_lead_becomes_a_customer(client, owner, leads):
    client.force_login(owner)
    lead = leads["owned"]

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert reverse("leads:convert", args=[lead.pk]) not in page
    assert "登记签约合同后" in page
    assert reverse("leads:convert", args=[lead.pk]) not in client.get(reverse("pools:mine")).content.decode()

    assert client.post(reverse("leads:convert", args=[lead.pk]), {"reason": "客户"}).status_code == 403
    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED


def test_a_manager_converts_with_a_reason_and_can_withdraw_it(client, manager, leads):
    client.force_login(manager)
    lead = leads["teammate"]
    convert = reverse("leads:convert", args=[lead.pk])

    page = client.post(convert, {"reason": ""}).content.decode()
    assert "必填项" in page
    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED

    response = client.post(convert, {"reason": "纸质合同，系统上线前已签"}, follow=True)
    assert "已转为客户" in response.content.decode()
    assert "无合同客户" in response.content.decode()
    lead.refresh_from_db()
    assert lead.state == LeadState.CUSTOMER

    client.post(reverse("leads:unconvert", args=[lead.pk]), {"reason": "核实后没有合同"})
    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED
    assert LeadEvent.objects.filter(lead=lead, kind=EventKind.UNCONVERTED, reason="核实后没有合同").exists()


def test_a_manager_cannot_convert_another_teams_lead(client, manager, leads):
    client.force_login(manager)

    assert client.get(reverse("leads:convert", args=[leads["outsider"].pk])).status_code == 404
    assert client.post(reverse("leads:unconvert", args=[leads["outsider"].pk]), {"reason": "x"}).status_code == 404


def test_the_customers_page_shows_which_customers_have_no_contract(client, manager, owner, team):
    from deals.models import Contract

    signed = owned_lead(team, owner, state=LeadState.CUSTOMER, company_name="杭州有合同公司")
    Contract.objects.create(
        lead=signed, number="HZ-9", amount=500, signed_on="2026-11-20", term_months=12, signed_by=owner, team=team
    )
    owned_lead(team, owner, state=LeadState.CUSTOMER, company_name="杭州无合同公司")
    client.force_login(manager)

    every = client.get(reverse("deals:customers")).content.decode()
    assert "杭州有合同公司" in every
    assert every.count("无合同</span>") == 1
    only = client.get(reverse("deals:customers"), {"without_contract": "1"}).content.decode()
    assert "杭州无合同公司" in only
    assert "杭州有合同公司" not in only


def test_a_leads_page_runs_its_timers_by_its_teams_policy_read_with_the_lead(client, owner, team):
    policy = policy_for(team)
    policy.follow_up_hours = 30
    policy.save()
    lead = owned_lead(team, owner)
    client.force_login(owner)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("leads:detail", args=[lead.pk]))

    assert response.context["policy"].follow_up_hours == 30
    assert not [query for query in queries if 'FROM "crm_teampolicy"' in query["sql"]]
