import logging
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.models import Heartbeat
from core.tests.factories import PASSWORD
from leads.models import Lead, LeadState


def make_lead(team, owner, name):
    return Lead.objects.create(
        team=team, owner=owner, state=LeadState.ASSIGNED if owner else LeadState.PUBLIC, company_name=name
    )


def test_the_login_page_speaks_chinese_by_default(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_switching_to_english_and_back(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert "Log in" in client.get(reverse("login")).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get(reverse("login")).content.decode()


def test_a_rep_logs_in_and_lands_on_their_start_page(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == owner


def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": "wrong"})

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_a_reps_start_page_is_today_with_only_their_own_leads(client, team, owner, teammate, time_machine):
    from leads.tests.factories import owned_lead

    time_machine.move_to("2026-11-27 09:00:00+08:00", tick=False)
    owned_lead(team, owner, company_name="mine-due")
    owned_lead(team, teammate, company_name="theirs-due")
    time_machine.move_to("2026-11-28 22:00:00+08:00", tick=False)
    client.force_login(owner)

    response = client.get(reverse("home"))

    assert [lead.company_name for lead in response.context["summary"].due_soon] == ["mine-due"]
    assert "theirs" not in response.content.decode()


def test_a_managers_start_page_lists_their_teams_only(client, team, other_team, manager, owner, teammate, outsider):
    make_lead(team, None, "public")
    make_lead(team, owner, "owned")
    client.force_login(manager)

    response = client.get(reverse("home"))

    rows = {b.team.name: (b.reps, b.pool.number) for b in response.context["briefings"]}
    assert rows == {"杭州一区": (2, 1)}


def test_the_navigation_follows_the_role(client, owner, manager, admin_user):
    def urls_in(menu):
        return [child["url"] for item in menu for child in item.get("children", [item])]

    client.force_login(owner)
    menu = client.get("/").context["navigation"]
    assert [item["label"] for item in menu] == ["今天", "记录拜访", "线索", "拜访"]
    assert [child["label"] for child in menu[2]["children"]][:2] == ["我的线索", "公海"]

    client.force_login(manager)
    menu = client.get(reverse("pools:allocation")).context["navigation"]
    assert [item["label"] for item in menu] == ["我的团队", "线索", "报表", "设置"]
    assert menu[1]["active"]
    assert not menu[2]["active"]
    assert reverse("reports:meeting") in urls_in(menu)

    client.force_login(admin_user)
    assert "/admin/" in urls_in(client.get("/").context["navigation"])


def test_the_menu_written_once_marks_each_page_and_speaks_each_language(client, owner, manager):
    client.force_login(manager)
    allocation = client.get(reverse("pools:allocation")).content.decode()
    assert 'class="dropdown-item active" aria-current="page" href="/pools/allocation/">分配' in allocation

    client.force_login(owner)
    today = client.get("/").content.decode()
    assert 'class="nav-link active" aria-current="page" href="/">今天</a>' in today
    assert "分配" not in today  # a rep's menu, not the manager's written just before
    elsewhere = client.get(reverse("notifications")).content.decode()
    assert 'aria-current="page"' not in elsewhere
    assert 'href="/">今天</a>' in elsewhere

    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert 'aria-current="page" href="/">Today</a>' in english
    assert 'href="/visits/new/">Log a visit</a>' in english


def test_the_frame_written_once_carries_each_users_own_name_token_and_way_back(owner, teammate):
    """The menu bar and language switch are shared by every rep on a page, but not the holes in them: the name
    (escaped), a CSRF token the user's own browser can log out with, and the page the language switch goes back to."""
    owner.name = "王<b>总</b>"
    owner.save()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(owner)
    second.force_login(teammate)

    def frame_of(client, path):
        response = client.get(path)
        page = response.content.decode()
        who = re.search(r'data-testid="who">(.*?) · ', page).group(1)
        logout = re.search(r'"/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="(\w+)', page)
        back_to = re.search(r'name="next" value="([^"]*)"', page).group(1)
        return who, logout.group(1), back_to, response.wsgi_request.get_full_path()

    who, _token, back_to, full_path = frame_of(first, "/notifications/?page=1&x=<i>")
    assert who == "王&lt;b&gt;总&lt;/b&gt;"
    assert back_to == escape(full_path)
    assert "%3Ci%3E" in back_to

    who, token, back_to, _full_path = frame_of(second, "/notifications/")
    assert (who, back_to) == (escape(str(teammate)), "/notifications/")
    assert second.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert second.get("/").status_code == 302  # logged out: to the login page
    assert first.get("/").status_code == 200


def test_a_rep_changes_their_password(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-2026", "new_password2": "brand-new-pass-2026"},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-pass-2026")


def test_logging_out_ends_the_session(client, owner):
    client.force_login(owner)

    client.post(reverse("logout"))

    assert client.get(reverse("home")).status_code == 302


def test_times_are_shown_in_the_team_time_zone(client, team, manager, time_machine):
    time_machine.move_to("2026-11-27 00:30:00+00:00", tick=False)
    team.time_zone = "Asia/Shanghai"
    team.save()
    client.force_login(manager)

    assert "2026-11-27 08:30" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("age", "status", "heartbeat"),
    [(timedelta(seconds=30), 200, "ok"), (timedelta(minutes=10), 503, "stale"), (None, 503, "missing")],
)
def test_healthz_reports_the_database_and_the_heartbeat_age(client, db, age, status, heartbeat):
    if age is not None:
        Heartbeat.objects.create(name="beat", last_run_at=timezone.now() - age)

    response = client.get("/healthz")

    assert response.status_code == status
    body = response.json()
    assert body["database"] == "ok"
    assert body["heartbeat"] == heartbeat
    if age is not None:
        assert body["heartbeat_age_seconds"] == pytest.approx(age.total_seconds(), abs=2)


def test_ten_wrong_passwords_lock_the_account_for_an_hour(client, owner):
    for _attempt in range(10):
        client.post(reverse("login"), {"username": "owner", "password": "guess"})

    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_a_page_reads_the_signed_in_rep_and_their_team_in_one_query(client, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications"))

    assert response.context["user"] == owner
    assert response.context["user"].role == "rep"
    user_reads = [query["sql"] for query in queries if '"crm_user"' in query["sql"] and "SELECT" in query["sql"]]
    assert len(user_reads) == 1, user_reads
    assert '"crm_membership"' in user_reads[0]
    assert '"crm_team"' in user_reads[0]


def test_a_deactivated_rep_is_signed_out_at_their_next_page(client, owner):
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    owner.is_active = False
    owner.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_administrator_without_a_team_still_signs_in(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["user"] == admin_user


def test_the_favicon_is_found_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_a_page_not_for_the_role_shows_the_sites_page_and_logs_no_traceback(client, owner, caplog):
    client.force_login(owner)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("pools:allocation"))

    assert response.status_code == 403
    assert "你的角色无法打开此页面" in response.content.decode()
    assert [record.exc_info for record in caplog.records] == [None]


def test_each_notification_shows_its_kind_in_the_readers_language_whichever_was_read_first(client, owner):
    from core.models import Notification

    now = timezone.now()
    Notification.objects.create(
        user=owner, kind=Notification.Kind.RECLAIMED, params={"count": 1, "companies": "A"}, created_at=now
    )
    Notification.objects.create(user=owner, kind=Notification.Kind.ALLOCATED, params={"count": 2}, created_at=now)
    client.force_login(owner)

    def kinds(language):
        page = client.get(reverse("notifications"), headers={"accept-language": language}).content.decode()
        return [
            line.split(" · ")[1].split("<")[0] for line in page.splitlines() if 'text-muted">' in line and " · " in line
        ]

    assert kinds("zh-hans") == ["早间分配", "线索被收回"]
    assert kinds("en") == ["Morning allocation", "Leads taken back"]
    assert kinds("zh-hans") == ["早间分配", "线索被收回"]


def test_a_choice_no_longer_offered_shows_as_stored(db):
    from core.models import JobRun

    assert JobRun(outcome="ok").get_outcome_display() == "完成"
    assert JobRun(outcome="retired").get_outcome_display() == "retired"
