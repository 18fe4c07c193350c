"""A month of one team's visits with fakers of several styles, drawn each morning two ways at the same budget: the
QC draw as it is (risk signals, check-in evidence, strong signals always audited) and plain uniform sampling.

It runs the product's own code on generated rows: `qc.risk.risk_signals` over the visits of each day, and
`qc.services.select_sample` with the draw's weights. An audited invented visit is exposed 9 times in 10 (the
customer reached and saying nobody came), decided by a fixed hash so both ways meet the same luck.

Faking styles, each inventing INVENTED visits a day on top of real ones, all entered in the evening like everyone:
- switch: checks in at the real doors, enters the invented ones in the evening without a check-in;
- no_evidence: never checks in, for real or invented visits (a phone "always out of battery");
- copier: like switch, and pastes one long note into every invented visit;
- home_check_in: "checks in" for the invented ones from home, far from the lead's place.
Honest reps check in at nine doors in ten, enter everything in one evening batch, and write short stock notes.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from core.models import Membership, Role, Team, User
from core.policy import policy_for
from leads.models import Lead, LeadState, PositionSource
from qc.risk import is_strong, risk_signals
from qc.services import _draw_weights, _uniform, select_sample
from visits.models import CheckIn, Visit

STYLES = ("switch", "no_evidence", "copier", "home_check_in")
VISITS_PER_DAY = 8
INVENTED = 2
FOUND_WHEN_AUDITED = 0.9
RATE = 10  # percent of visits audited, effective and potential alike
HANGZHOU = (30.25, 120.15)
# The draw's randomness is keyed by visit id: the month's visits get ids of their own, far above any real visit's, so
# a seed gives the same month whatever the database held before (a test run's earlier tests used the sequence too).
FIRST_VISIT_ID = 10**15
STOCK_NOTES = ("老板不在，下次再来", "前台接待，留了资料", "客户有兴趣，下周回访", "见到店长，介绍了产品")


@dataclass
class Result:
    """Per faking style and way of drawing: the working day each faker was first exposed (None: not at all)."""

    days: int
    found_on: dict[str, dict[str, list[int | None]]] = field(default_factory=dict)
    audited_share: float = 0.0

    def found_within(self, way: str, style: str, days: int) -> int:
        return sum(1 for day in self.found_on[way][style] if day is not None and day <= days)


def _exposed(seed: int, visit_id: int) -> bool:
    digest = hashlib.blake2b(f"exposed:{seed}:{visit_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < FOUND_WHEN_AUDITED


def simulate(*, honest: int = 40, fakers_per_style: int = 2, days: int = 20, seed: int = 2026) -> Result:
    """Generate the month in a transaction that is rolled back, and draw it both ways; return who was found when."""
    result = Result(days=days)
    with transaction.atomic():
        team, reps = _team(honest, fakers_per_style, seed)
        chance = random.Random(seed)
        start = date(2026, 10, 5)
        invented_ids: dict[int, str] = {}
        faker_of: dict[int, int] = {}
        audited = total = 0
        found = {way: {} for way in ("draw", "uniform")}
        for offset in range(days):
            day = start + timedelta(days=offset)
            for number, (rep, style) in enumerate(reps):
                first_id = FIRST_VISIT_ID + (offset * len(reps) + number) * VISITS_PER_DAY
                for visit_id in _rep_day(team, rep, style, day, chance, first_id):
                    invented_ids[visit_id] = style
                    faker_of[visit_id] = rep.pk
            rows = list(
                Visit.objects.filter(team=team, day=day).values_list("pk", "rep_id", "outcome", "mode", "check_in")
            )
            candidates = [row[:3] for row in rows]
            signals = risk_signals(team, day)
            rates = {"effective_rate": RATE, "potential_rate": RATE, "minimum_per_rep": 0}
            drawn = select_sample(
                candidates,
                seed=seed + offset,
                weights=_draw_weights(rows, signals),
                always={visit_id for visit_id, signs in signals.items() if is_strong(signs)},
                **rates,
            )
            budget = len(drawn)
            uniform = [
                visit_id
                for _key, visit_id in sorted(((_uniform(seed + offset, row[0]), row[0]) for row in rows), reverse=True)[
                    :budget
                ]
            ]
            audited += budget
            total += len(rows)
            for way, sample in (("draw", drawn), ("uniform", uniform)):
                for visit_id in sample:
                    if visit_id in invented_ids and _exposed(seed, visit_id):
                        found[way].setdefault(faker_of[visit_id], offset + 1)
        for way in found:
            result.found_on[way] = {
                style: [found[way].get(rep.pk) for rep, rep_style in reps if rep_style == style] for style in STYLES
            }
        result.audited_share = audited / total
        transaction.set_rollback(True)
    return result


def _team(honest: int, fakers_per_style: int, seed: int):
    team = Team.objects.create(name=f"qc-simulation-{seed}")
    policy = policy_for(team)
    policy.qc_weight_by_risk = True
    policy.save()
    styles = ["honest"] * honest + [style for style in STYLES for _ in range(fakers_per_style)]
    reps = []
    for number, style in enumerate(styles):
        user = User.objects.create(username=f"sim-{seed}-{number}", name=f"{style}-{number}")
        Membership.objects.create(user=user, team=team, role=Role.REP)
        reps.append((user, style))
    return team, reps


def _rep_day(team: Team, rep: User, style: str, day: date, chance: random.Random, first_id: int) -> list[int]:
    """Insert one rep's day: real visits, and for a faker the invented ones, numbered from `first_id`; return the
    invented visits' ids."""
    zone = ZoneInfo(team.time_zone)
    centre = (HANGZHOU[0] + chance.uniform(-0.05, 0.05), HANGZHOU[1] + chance.uniform(-0.05, 0.05))
    real = VISITS_PER_DAY - (INVENTED if style != "honest" else 0)
    slots = [(False, n) for n in range(real)] + [(True, real + n) for n in range(VISITS_PER_DAY - real)]
    leads = Lead.objects.bulk_create(
        Lead(
            team=team,
            owner=rep,
            state=LeadState.ASSIGNED,
            company_name=f"{rep.username}-{day}-{n}",
            company_key=f"{rep.username}-{day}-{n}",
            latitude=Decimal(f"{centre[0] + chance.uniform(-0.01, 0.01):.6f}"),
            longitude=Decimal(f"{centre[1] + chance.uniform(-0.01, 0.01):.6f}"),
            position_source=PositionSource.IMPORT,
        )
        for _invented, n in slots
    )
    evening = datetime.combine(day, time(20), tzinfo=zone)
    long_note = f"{rep.username} 客户说上个月已经签了别家的系统，今天只是礼节性拜访，留了资料给采购部王经理"
    visits = []
    for (invented, n), lead in zip(slots, leads, strict=True):
        at = datetime.combine(day, time(9), tzinfo=zone) + timedelta(minutes=50 * n)
        notes = chance.choice(STOCK_NOTES)
        if invented and style == "copier":
            notes = long_note
        visit = Visit(
            pk=first_id + n,
            rep=rep,
            team=team,
            lead=lead,
            company_name=lead.company_name,
            day=day,
            occurred_at=at,
            entered_at=evening + timedelta(seconds=30 * n),
            mode="in_person",
            person_role="manager",
            outcome="effective" if n % 4 == 0 else "potential",
            notes=notes,
        )
        checks_in = (not invented and style != "no_evidence" and (style != "honest" or chance.random() < 0.9)) or (
            invented and style == "home_check_in"
        )
        if checks_in:
            place = (float(lead.latitude), float(lead.longitude))
            if invented:
                place = (centre[0] + 0.08, centre[1] + 0.08)  # home, about 11 km away
            visit.latitude = Decimal(f"{place[0] + chance.uniform(-0.0003, 0.0003):.6f}")
            visit.longitude = Decimal(f"{place[1] + chance.uniform(-0.0003, 0.0003):.6f}")
            visit.accuracy_meters = 25
        visits.append((visit, invented, checks_in))
    Visit.objects.bulk_create([visit for visit, _invented, _checks_in in visits])
    CheckIn.objects.bulk_create(
        CheckIn(
            rep=rep,
            team=team,
            lead=visit.lead,
            day=day,
            checked_in_at=visit.occurred_at,
            latitude=visit.latitude,
            longitude=visit.longitude,
            accuracy_meters=25,
            visit=visit,
        )
        for visit, _invented, checks_in in visits
        if checks_in
    )
    return [visit.pk for visit, invented, _checks_in in visits if invented]
