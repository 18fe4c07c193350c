"""An organisation to explore: two teams, their managers and reps, a QC user and 2,000 leads.

Everything is generated from a fixed seed, so a second run finds what the first created and adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from faker import Faker

from core.models import Membership, Role, Team, User
from deals.models import Contract
from deals.services import add_proposal, confirm_need, record_payment, sign_contract
from leads.models import Lead, LeadSource, LeadState
from leads.normalize import company_key, phone_key
from pools.models import AllocationRun
from pools.services.allocation import allocate
from pools.services.ownership import keep_lead, record_follow_up
from pools.services.reclaim import reclaim_overdue
from qc.models import AuditOutcome, Draw
from qc.services import draw_sample, record_audit
from visits.counting import rebuild_rep_days
from visits.models import DailyNote, Outcome, PersonRole, Visit, VisitMode
from visits.services.entry import log_visit

DEMO_PASSWORD = "crm-demo-2026"
LEADS_PER_TEAM = 1000
REPS_PER_TEAM = 6
SEED = 2026
PRIVATE_PER_REP = 4


@dataclass(frozen=True)
class DemoTeam:
    name: str
    city: str
    districts: tuple[str, ...]
    manager: str
    rep_prefix: str


TEAMS = (
    DemoTeam("杭州一区", "杭州市", ("西湖区", "上城区", "拱墅区", "滨江区", "余杭区", "萧山区"), "manager1", "hz"),
    DemoTeam("上海二区", "上海市", ("浦东新区", "徐汇区", "静安区", "长宁区", "闵行区", "黄浦区"), "manager2", "sh"),
)
# industry: the business line its companies put in their registered names
INDUSTRIES = {
    "餐饮": ("餐饮管理", "餐饮服务", "食品"),
    "零售": ("商贸", "百货", "便利店"),
    "教育培训": ("教育科技", "培训学校", "文化传播"),
    "美容美发": ("美容", "美发", "健康管理"),
    "酒店住宿": ("酒店管理", "宾馆", "公寓管理"),
    "休闲娱乐": ("文化娱乐", "体育发展", "影视"),
    "医疗健康": ("医疗科技", "口腔门诊", "医药"),
    "汽车服务": ("汽车服务", "汽车销售", "汽车维修"),
    "家居建材": ("装饰工程", "家居", "建材"),
    "商务服务": ("企业管理咨询", "信息技术", "人力资源"),
}
BRAND_CHARACTERS = "华鑫瑞丰盛嘉泰恒远达锦宏博凯鸿翔润安康联创新星辉佳美宇晨昊天祥和兴隆金海源信诚德永晟卓越东方正"
LEGAL_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
CONTACT_ROLES = ("老板", "总经理", "店长", "行政经理", "采购经理", "市场经理", "前台")
BUILDING_STEMS = ("华润", "万达", "来福士", "银泰", "嘉里", "恒隆", "绿地", "中信", "世贸", "金茂", "宝龙", "龙湖")
BUILDING_KINDS = ("大厦", "中心", "广场", "科技园", "商务楼")


@dataclass
class SeedReport:
    users_created: int = 0
    leads_created: int = 0


def logins() -> list[tuple[str, str, str]]:
    """Return (username, role, team) for every demo login."""
    rows = [("admin", "admin", "")]
    for team in TEAMS:
        rows.append((team.manager, "manager", team.name))
        rows.extend((f"{team.rep_prefix}{n:02d}", "rep", team.name) for n in range(1, REPS_PER_TEAM + 1))
    rows.append(("qc1", "qc", " / ".join(team.name for team in TEAMS)))
    return rows


def seed_demo() -> SeedReport:
    """Create the demo organisation, skipping whatever already exists."""
    report = SeedReport()
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    chance = random.Random(SEED)
    with transaction.atomic():
        _ensure_user(report, fake, "admin", is_superuser=True)
        qc = _ensure_user(report, fake, "qc1")
        for demo_team in TEAMS:
            team, _created = Team.objects.get_or_create(name=demo_team.name)
            manager = _ensure_user(report, fake, demo_team.manager)
            Membership.objects.get_or_create(user=manager, team=team, defaults={"role": Role.MANAGER})
            Membership.objects.get_or_create(user=qc, team=team, defaults={"role": Role.QC})
            for number in range(1, REPS_PER_TEAM + 1):
                rep = _ensure_user(report, fake, f"{demo_team.rep_prefix}{number:02d}")
                Membership.objects.get_or_create(user=rep, defaults={"team": team, "role": Role.REP})
            report.leads_created += _ensure_leads(team, demo_team, fake, chance)
            _hand_out_leads(team, admin=User.objects.get(username="admin"))
            # A stream of its own, so whether history is added never shifts the names drawn for the next team.
            _visit_history(team, random.Random(f"{SEED}-{demo_team.name}"))
            _qc_history(team, qc, random.Random(f"{SEED}-{demo_team.name}-qc"))
            _deals(team, random.Random(f"{SEED}-{demo_team.name}-deals"))
    return report


def _hand_out_leads(team: Team, *, admin: User) -> None:
    """Replay a few days of the method through the real operations, so every page has something to show.

    Two mornings' allocations, follow-ups on most leads, a reclaim of the ones nobody followed up, leads close to
    their deadline today, and a few kept in each rep's private pool.
    """
    if AllocationRun.objects.filter(team=team).exists():
        return
    now = timezone.now()
    first_morning, second_morning = now - timedelta(hours=60), now - timedelta(hours=40)
    allocate(team=team, actor=admin, now=first_morning, seed=SEED)
    reps = list(User.objects.filter(memberships__team=team, memberships__role=Role.REP).order_by("username"))
    for rep in reps:
        for number, lead in enumerate(Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED).order_by("pk")):
            if number % 3:  # two in three followed up; the rest will be taken back
                record_follow_up(actor=rep, lead=lead, at=first_morning + timedelta(hours=10))
    allocate(team=team, actor=admin, now=second_morning, seed=SEED + 1)
    reclaim_overdue(now=now - timedelta(hours=10))
    for rep in reps:
        followed_up = Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED, last_follow_up_at__isnull=False)
        for lead in followed_up.order_by("pk")[:PRIVATE_PER_REP]:
            keep_lead(actor=rep, lead=lead)


WINS = ("签下一家连锁店", "见到了老板，约好周五演示", "陌拜新增五家意向客户", "老客户转介绍一家")
DIFFICULTIES = ("前台拦截，见不到老板", "客户预算要到下个月", "竞争对手报价更低", "")
PEOPLE = ("王总", "李经理", "张老板", "刘店长", "陈主管")


def _visit_history(team: Team, chance: random.Random) -> None:
    """Three weeks of visits, wins and difficulties, so Today, the evening meeting and compliance have content."""
    if Visit.objects.filter(team=team).exists():
        return
    zone = ZoneInfo(team.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    reps = list(User.objects.filter(memberships__team=team, memberships__role=Role.REP).order_by("username"))
    visits, notes = [], []
    for rep in reps:
        companies = list(Lead.objects.filter(owner=rep).values_list("pk", "company_name")[:40]) or [(None, "—")]
        steady = rep != reps[-1]  # the last rep of each team often misses the target
        for offset in range(1, 22):
            day = today - timedelta(days=offset)
            if day.weekday() == 6:
                continue
            in_person = chance.randint(8, 10) if steady else chance.randint(4, 8)
            effective = chance.randint(2, 4) if steady else chance.randint(0, 2)
            for number in range(in_person + chance.randint(0, 2)):
                lead_id, company = chance.choice(companies)
                occurred = datetime.combine(day, time(9), tzinfo=zone) + timedelta(minutes=50 * number)
                is_effective = number < effective
                visits.append(
                    Visit(
                        rep=rep,
                        team=team,
                        lead_id=lead_id,
                        company_name=company,
                        day=day,
                        occurred_at=occurred,
                        entered_at=datetime.combine(day, time(20, chance.randint(0, 59)), tzinfo=zone),
                        mode=VisitMode.IN_PERSON if number < in_person else VisitMode.PHONE,
                        person_met=chance.choice(PEOPLE),
                        person_role=PersonRole.OWNER if is_effective else PersonRole.MANAGER,
                        outcome=Outcome.EFFECTIVE if is_effective else Outcome.POTENTIAL,
                        next_step="下周带方案再访" if is_effective else "",
                        notes="demo",
                        is_cold=number == in_person - 1,
                        is_follow_up=lead_id is not None,
                    )
                )
            notes.append(
                DailyNote(rep=rep, team=team, day=day, win=chance.choice(WINS), difficulty=chance.choice(DIFFICULTIES))
            )
    Visit.objects.bulk_create(visits, batch_size=1000)
    rebuild_rep_days(team_ids=[team.pk], first=today - timedelta(days=21), last=today)
    DailyNote.objects.bulk_create(notes, batch_size=1000)


def _qc_history(team: Team, qc: User, chance: random.Random) -> None:
    """A week of draws: older ones audited (one visit found falsified), yesterday's still waiting in the queue."""
    if Draw.objects.filter(team=team).exists():
        return
    today = timezone.localdate(timezone.now(), ZoneInfo(team.time_zone))
    visited_days = Visit.objects.filter(team=team, day__lt=today).order_by().values_list("day", flat=True)
    days = sorted(visited_days.distinct())[-6:]
    falsified = False
    for day in days:
        draw = draw_sample(team=team, day=day, actor=qc, seed=chance.getrandbits(40))
        if day == days[-1]:
            continue  # yesterday's sample is today's work
        for sample in draw.samples.order_by("pk"):
            if not falsified and sample.visit.outcome == Outcome.EFFECTIVE:
                record_audit(
                    actor=qc,
                    sample=sample,
                    outcome=AuditOutcome.FALSIFIED,
                    notes="客户说当天没有人来拜访",
                    confirmed=True,
                )
                falsified = True
                continue
            outcome = chance.choice(
                [AuditOutcome.VERIFIED] * 8 + [AuditOutcome.MINOR_MISMATCH, AuditOutcome.UNREACHABLE]
            )
            record_audit(
                actor=qc, sample=sample, outcome=outcome, notes="" if outcome != "minor_mismatch" else "时间对不上"
            )


NEEDS = ("五家门店的收银系统", "员工排班与考勤", "会员营销小程序", "供应链对账")


def _deals(team: Team, chance: random.Random) -> None:
    """Walk some of each rep's leads along the pipeline, so every stage, contract and payment chart has data."""
    if Contract.objects.filter(lead__team=team).exists():
        return
    effective = {"mode": "in_person", "person_role": "owner", "outcome": "effective", "next_step": "带方案再访"}
    reps = User.objects.filter(memberships__team=team, memberships__role=Role.REP).order_by("username")
    for rep_number, rep in enumerate(reps):
        leads = list(Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED).order_by("pk")[:7])
        for step, lead in enumerate(leads):
            # Lead n of a rep stops at step n: contacted, effective visit, need, proposal, contract, payments.
            if step == 0:
                continue
            log_visit(
                actor=rep,
                lead=lead,
                values={**effective}
                if step > 1
                else {**effective, "outcome": "potential", "person_role": "manager", "next_step": ""},
            )
            if step < 3:
                continue
            confirm_need(actor=rep, lead=lead, need=chance.choice(NEEDS))
            if step < 4:
                continue
            amount = chance.choice([12800, 26800, 36000, 58000, 98000])
            add_proposal(actor=rep, lead=lead, amount=amount)
            if step < 5:
                continue
            signed = timezone.localdate() - timedelta(days=chance.randint(0, 20))
            contract = sign_contract(
                actor=rep,
                lead=lead,
                number=f"HT-{team.pk}-{rep_number:02d}-{step}",
                amount=amount,
                signed_on=signed,
                term_months=12,
            )
            payments = 1 if step == 5 else 2
            for part in range(payments):
                record_payment(
                    actor=rep,
                    contract=contract,
                    amount=Decimal(amount) / 2,
                    received_on=min(signed + timedelta(days=7 * part), timezone.localdate()),
                    method=chance.choice(["bank", "wechat", "alipay"]),
                )


def _ensure_user(report: SeedReport, fake: Faker, username: str, *, is_superuser: bool = False) -> User:
    # The name is drawn even when the user exists, so the random stream, and with it every lead, stays the same.
    name = fake.name()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(username=username, name=name, phone=fake.phone_number())
    user.is_superuser = user.is_staff = is_superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    report.users_created += 1
    return user


def _ensure_leads(team: Team, demo_team: DemoTeam, fake: Faker, chance: random.Random) -> int:
    existing_keys = set(Lead.objects.filter(team=team).values_list("company_key", flat=True))
    seen_keys = set()
    new_leads = []
    while len(seen_keys) < LEADS_PER_TEAM:
        industry = chance.choice(list(INDUSTRIES))
        company = (
            f"{demo_team.city.removesuffix('市')}{''.join(chance.sample(BRAND_CHARACTERS, 2))}"
            f"{chance.choice(INDUSTRIES[industry])}{chance.choice(LEGAL_FORMS)}"
        )
        key = company_key(company)
        phone = fake.phone_number()
        district = chance.choice(demo_team.districts)
        building = f"{chance.choice(BUILDING_STEMS)}{chance.choice(BUILDING_KINDS)}"
        lead = Lead(
            team=team,
            state=LeadState.PUBLIC,
            company_name=company,
            company_key=key,
            contact_name=fake.name(),
            contact_role=chance.choice(CONTACT_ROLES),
            phone=phone,
            phone_key=phone_key(phone),
            address=f"{demo_team.city}{district}{fake.street_name()}{chance.randint(1, 999)}号{building}",
            building=building,
            district=district,
            city=demo_team.city,
            industry=industry,
            source=LeadSource.IMPORT,
            priority=chance.choice((0, 0, 0, 1, 1, 2, 3)),
        )
        if key in seen_keys:
            continue
        seen_keys.add(key)
        if key not in existing_keys:
            new_leads.append(lead)
    Lead.objects.bulk_create(new_leads, batch_size=500)
    return len(new_leads)
