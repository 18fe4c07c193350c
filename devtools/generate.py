"""Generated data for the benchmarks: an organisation at the size DESIGN.md talks about, written with one SQL
statement per table rather than one INSERT per row, so millions of rows take seconds."""

import contextlib
import resource
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection

from core.models import Team
from leads.models import LeadState
from visits.counting import rebuild_rep_days

NUMBERS = "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < %(count)s)"


def max_rss_megabytes() -> int:
    """This process's peak resident memory since `reset_peak_memory` (on Linux, VmHWM: ru_maxrss cannot be reset,
    and a spawned process's ru_maxrss keeps the mark of the parent it was forked from)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kilobytes / 1024)


def reset_peak_memory() -> None:
    """Start the peak over from the memory in use now, so each benchmark reports its own (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def create_reps(team: Team, count: int, now) -> None:
    """Insert `count` active reps of `team` with one statement each for users and memberships."""
    prefix = f"bench-{team.pk}-"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{NUMBERS}
            INSERT INTO crm_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                  is_active, date_joined, name, phone)
            SELECT '!', FALSE, %(prefix)s || n, '', '', '', FALSE, TRUE, %(now)s, '', '' FROM numbers""",
            {"count": count, "prefix": prefix, "now": now},
        )
        cursor.execute(
            """INSERT INTO crm_membership (user_id, team_id, role, created_at)
               SELECT id, %(team)s, 'rep', %(now)s FROM crm_user WHERE username LIKE %(pattern)s""",
            {"team": team.pk, "pattern": prefix + "%", "now": now},
        )


def create_leads(team: Team, count: int, now, *, owned_by_reps: bool = False, deadline=None) -> None:
    """Insert `count` leads of `team`: public ones, or assigned round-robin to its reps with the given deadline."""
    owner = "NULL"
    if owned_by_reps:
        owner = """(SELECT user_id FROM reps WHERE reps.slot = numbers.n %% reps.total)"""
    reps = """, reps AS (SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS slot,
                                count(*) OVER () AS total
                           FROM crm_membership WHERE team_id = %(team)s AND role = 'rep')"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{NUMBERS}{reps}
            INSERT INTO leads_lead (team_id, owner_id, state, company_name, company_key, contact_name, contact_role,
                                    phone, phone_key, second_phone, second_phone_key, address, building, district,
                                    city, industry, source, priority, assigned_at, follow_up_deadline,
                                    resolve_deadline, close_reason, close_note, created_at, updated_at, stage,
                                    confirmed_need)
            SELECT %(team)s, {owner}, %(state)s, 'bench' || %(team)s || '-' || n || '有限公司',
                   'bench' || %(team)s || '-' || n, '张经理', '总经理', '', '', '', '', '', '', '西湖区', '杭州市',
                   '零售', 'import', n %% 4, %(assigned_at)s, %(deadline)s, %(resolve)s, '', '', %(now)s, %(now)s,
                   'new', ''
              FROM numbers""",
            {
                "count": count,
                "team": team.pk,
                "state": LeadState.ASSIGNED if owned_by_reps else LeadState.PUBLIC,
                "assigned_at": now - timedelta(days=3) if owned_by_reps else None,
                "deadline": deadline,
                "resolve": deadline + timedelta(days=5) if deadline else None,
                "now": now,
            },
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_lead; ANALYZE crm_membership; ANALYZE crm_user")


def _insert_visits(day: date, per_rep: int, zone: ZoneInfo, team: Team | None) -> None:
    """Insert `per_rep` visits for every rep (of `team`, or of every team) on `day`, two in eight effective, in one
    statement, and count them into the reps' days."""
    morning = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(hours=9)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{NUMBERS}
            INSERT INTO visits_visit (rep_id, team_id, lead_id, company_name, day, occurred_at, entered_at, mode,
                                      person_met, person_role, outcome, notes, next_step, building, address,
                                      is_cold, created_lead, is_follow_up, is_late, is_voided, not_counted,
                                      contact_name, phone)
            SELECT m.user_id, m.team_id, NULL, 'bench ' || numbers.n, %(day)s, %(morning)s, %(evening)s,
                   'in_person', '王总', 'owner', CASE WHEN numbers.n %% 4 = 0 THEN 'effective' ELSE 'potential' END,
                   'visit ' || m.user_id || '-' || numbers.n, '下一步', '', '',
                   FALSE, FALSE, FALSE, FALSE, FALSE, '', '', ''
              FROM crm_membership AS m CROSS JOIN numbers
             WHERE m.role = 'rep' {"AND m.team_id = %(team)s" if team else ""}""",
            {
                "count": per_rep,
                "team": team.pk if team else None,
                "day": day,
                "morning": morning,
                "evening": morning + timedelta(hours=11),
            },
        )
    team_ids = [team.pk] if team else Team.objects.values_list("pk", flat=True)
    rebuild_rep_days(team_ids=team_ids, first=day, last=day)


def create_visits(team: Team, day: date, per_rep: int) -> None:
    """Insert `per_rep` visits for every rep of the team on `day`, two in eight effective, in one statement."""
    _insert_visits(day, per_rep, ZoneInfo(team.time_zone), team)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE visits_visit; ANALYZE visits_repday")


# Company names as Chinese companies are named: city, a two-character brand, a business line, a legal form.
BRAND_CHARACTERS = "华鑫瑞丰盛嘉泰恒远达锦宏博凯鸿翔润安康联创新星河辉佳美宇晨昊天祥和兴隆金海源信诚德永晟卓越"
BUSINESS_LINES = "餐饮商贸科技教育美容酒店医疗汽车装饰咨询"


def create_named_leads(team: Team, count: int, now, *, first_number: int = 0) -> None:
    """Insert `count` public leads of `team` named like real companies (杭州星河餐饮00012有限公司), so a search for a
    two-character brand such as 星河 finds some of them."""
    brands = len(BRAND_CHARACTERS)
    lines = len(BUSINESS_LINES) // 2
    name = (
        f"'杭州' || substr(%(brands)s, 1 + (n %% {brands}), 1)"
        f" || substr(%(brands)s, 1 + ((n / {brands}) %% {brands}), 1)"
        f" || substr(%(lines)s, 1 + 2 * ((n / 7) %% {lines}), 2) || (n + %(first)s)"
    )
    phone = "'139' || substr('00000000' || (n + %(first)s), -8, 8)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{NUMBERS}
            INSERT INTO leads_lead (team_id, owner_id, state, company_name, company_key, contact_name, contact_role,
                                    phone, phone_key, second_phone, second_phone_key, address, building, district,
                                    city, industry, source, priority, assigned_at, follow_up_deadline,
                                    resolve_deadline, close_reason, close_note, created_at, updated_at, stage,
                                    confirmed_need)
            SELECT %(team)s, NULL, 'public', {name} || '有限公司', {name}, '张经理', '总经理',
                   {phone}, {phone}, '', '', '杭州市西湖区文三路' || (n %% 999) || '号', '华润大厦', '西湖区',
                   '杭州市', '零售', 'import', n %% 4, NULL, NULL, NULL, '', '', %(now)s, %(now)s, 'new', ''
              FROM numbers""",
            {
                "count": count,
                "team": team.pk,
                "brands": BRAND_CHARACTERS,
                "lines": BUSINESS_LINES,
                "first": first_number,
                "now": now,
            },
        )


def create_visits_of_every_rep(day: date, per_rep: int, zone: ZoneInfo) -> None:
    """Insert `per_rep` visits for every rep of every team on `day`, two in eight effective, in one statement."""
    _insert_visits(day, per_rep, zone, None)
