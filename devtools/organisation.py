"""One generated sales organisation for the page and load benchmarks, at the size DESIGN.md talks about.

100 teams of 50 reps (5,000 reps) and a manager each, one QC for all, 2,000,000 leads: one team holds a
200,000-lead public pool; every rep owns 60 assigned leads, 10 private ones and 5 customers with contracts and
payments; four weeks of visits (8 a day per rep), allocation events for every owned lead, QC draws of the big team,
collisions, plans and notifications. Everything is written set-based; `scale` shrinks every count.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.db import connection
from django.utils import timezone

from core.calendar import local_day, zone_of
from core.models import Membership, Notification, Role, Team, TeamPolicy, User
from devtools.generate import create_named_leads, create_reps, create_visits_of_every_rep
from leads.models import Collision, Lead, LeadState
from qc.services import draw_sample
from visits.models import VisitPlan

TEAMS = 100
REPS_PER_TEAM = 50
LEADS = 2_000_000
BIG_POOL = 200_000
OWNED_PER_REP = {"assigned": 60, "private": 10, "customer": 5}
DAYS_OF_VISITS = 28
PASSWORD = "bench-password-2026"


@dataclass(frozen=True)
class Organisation:
    big_team_id: int
    rep_id: int
    manager_id: int
    qc_id: int
    lead_id: int  # one of the rep's assigned leads
    leads: int
    reps: int


@cache
def organisation(scale: float) -> Organisation:
    """Build the organisation once per run (every page benchmark shares it)."""
    now = timezone.now()
    teams_count = max(int(TEAMS * scale), 2)
    reps_per_team = max(int(REPS_PER_TEAM * min(scale * 10, 1)), 3)
    big_pool = max(int(BIG_POOL * scale), 1000)
    owned = sum(OWNED_PER_REP.values())
    other_pool = max((int(LEADS * scale) - big_pool) // (teams_count - 1) - reps_per_team * owned, 100)
    stamp = time.time_ns()
    teams = Team.objects.bulk_create(Team(name=f"org-{stamp}-{number:03d}") for number in range(teams_count))
    TeamPolicy.objects.bulk_create(TeamPolicy(team=team) for team in teams)
    qc = User.objects.create_user(username=f"org-qc-{stamp}", password=PASSWORD)
    first_number = 0
    for index, team in enumerate(teams):
        create_reps(team, reps_per_team, now)
        pool = big_pool if index == 0 else other_pool
        create_named_leads(team, pool + reps_per_team * owned, now, first_number=first_number)
        first_number += pool + reps_per_team * owned
    managers = User.objects.bulk_create(User(username=f"org-manager-{team.pk}", password="!") for team in teams)
    Membership.objects.bulk_create(
        [Membership(user=manager, team=team, role=Role.MANAGER) for manager, team in zip(managers, teams, strict=True)]
        + [Membership(user=qc, team=team, role=Role.QC) for team in teams]
    )
    _hand_out(now)
    _deals(now)
    zone = zone_of(teams[0])
    today = local_day(teams[0], now)
    for offset in range(1, DAYS_OF_VISITS + 1):
        if (today - timedelta(days=offset)).weekday() != 6:
            create_visits_of_every_rep(today - timedelta(days=offset), 8, zone)
    create_visits_of_every_rep(today, 3, zone)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
    big = teams[0]
    rep = User.objects.filter(memberships__team=big, memberships__role=Role.REP).order_by("pk").first()
    rep.set_password(PASSWORD)
    rep.save(update_fields=["password"])
    manager = managers[0]
    manager.set_password(PASSWORD)
    manager.save(update_fields=["password"])
    for offset in range(2, 7):
        draw_sample(team=big, day=today - timedelta(days=offset), seed=offset)
    leads = list(Lead.objects.filter(owner=rep, state=LeadState.ASSIGNED).order_by("pk")[:8])
    VisitPlan.objects.bulk_create(VisitPlan(rep=rep, lead=lead, day=today, purpose="带报价") for lead in leads)
    Collision.objects.bulk_create(
        Collision(lead=lead, owner=rep, attempted_by=rep, company_name=lead.company_name, source="cold_visit")
        for lead in Lead.objects.filter(team=big, owner__isnull=False).exclude(owner=rep)[:300]
    )
    Notification.objects.bulk_create(
        Notification(user=rep, kind=Notification.Kind.ALLOCATED, params={"count": 30}, created_at=now)
        for _ in range(50)
    )
    return Organisation(
        big_team_id=big.pk,
        rep_id=rep.pk,
        manager_id=manager.pk,
        qc_id=qc.pk,
        lead_id=leads[0].pk,
        leads=Lead.objects.count(),
        reps=teams_count * reps_per_team,
    )


def _hand_out(now) -> None:
    """Give every rep their assigned, private and customer leads (the first leads of their team), with events."""
    assigned, private, customer = OWNED_PER_REP["assigned"], OWNED_PER_REP["private"], OWNED_PER_REP["customer"]
    owned = assigned + private + customer
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH reps AS (SELECT user_id, team_id, row_number() OVER (PARTITION BY team_id ORDER BY user_id) - 1 AS slot
                            FROM crm_membership WHERE role = 'rep'),
                 ranked AS (SELECT id, team_id, row_number() OVER (PARTITION BY team_id ORDER BY id) - 1 AS rank
                              FROM leads_lead),
                 chosen AS (SELECT ranked.id, reps.user_id, ranked.rank %% {owned} AS kind
                              FROM ranked JOIN reps ON reps.team_id = ranked.team_id
                                               AND reps.slot = ranked.rank / {owned})
            UPDATE leads_lead AS l
               SET owner_id = chosen.user_id,
                   state = CASE WHEN chosen.kind < {assigned} THEN 'assigned'
                                WHEN chosen.kind < {assigned + private} THEN 'private' ELSE 'customer' END,
                   stage = CASE WHEN chosen.kind < {assigned} THEN
                                    (CASE chosen.kind %% 4 WHEN 0 THEN 'new' WHEN 1 THEN 'contacted'
                                                          WHEN 2 THEN 'effective_visit' ELSE 'proposal' END)
                                WHEN chosen.kind < {assigned + private} THEN 'needs_confirmed'
                                ELSE 'contract_signed' END,
                   assigned_at = %(assigned_at)s,
                   follow_up_deadline = CASE WHEN chosen.kind < {assigned}
                                             THEN %(now)s + (1 + chosen.kind) * interval '1 hour' END,
                   resolve_deadline = CASE WHEN chosen.kind < {assigned} THEN %(now)s + interval '5 days' END,
                   private_since = CASE WHEN chosen.kind >= {assigned} AND chosen.kind < {assigned + private}
                                        THEN %(now)s - interval '3 days' END
              FROM chosen
             WHERE l.id = chosen.id""",
            {"now": now, "assigned_at": now - timedelta(days=2)},
        )
        cursor.execute(
            """
            INSERT INTO pools_leadevent (lead_id, team_id, kind, actor_id, job, from_state, to_state, from_owner_id,
                                         to_owner_id, reason, reason_code, created_at)
            SELECT id, team_id, 'allocated', NULL, 'allocate', 'public', 'assigned', NULL, owner_id, '', '', %(at)s
              FROM leads_lead WHERE owner_id IS NOT NULL""",
            {"at": now - timedelta(days=2)},
        )


def _deals(now) -> None:
    """Each customer has a signed contract, half of it paid."""
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO deals_contract (lead_id, number, amount, signed_on, term_months, signed_by_id, team_id,
                                        created_at)
            SELECT id, 'ORG-' || id, 10000 + id %% 50000, %(today)s - (id %% 20)::int, 12, owner_id, team_id, %(now)s
              FROM leads_lead WHERE state = 'customer'""",
            {"today": today, "now": now},
        )
        cursor.execute(
            """
            INSERT INTO deals_payment (contract_id, amount, received_on, method, recorded_by_id, created_at)
            SELECT id, amount / 2, signed_on, 'bank', signed_by_id, %(now)s FROM deals_contract""",
            {"now": now},
        )
