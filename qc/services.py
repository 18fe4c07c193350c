"""QC: draw reproducible samples of a day's visits, audit them with the customers, record what was falsified."""

import hashlib
import math
import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_qc_of
from core.calendar import has_passed, is_entry_closed, local_day
from core.errors import DomainError
from core.locks import lock_team_job
from core.models import Membership, Notification, Role, Team, User
from core.notifications import notify
from core.policy import policy_for
from hooks.models import ChatPurpose, HookEvent
from hooks.outbox import publish, tell_group
from leads.models import Lead
from leads.services.position import confirm_position_from_check_in
from pools.services.ownership import withdraw_follow_up
from qc.models import OPEN_STATUSES, Audit, AuditOutcome, Draw, Incident, Sample, SampleStatus
from qc.risk import is_strong, risk_signals
from visits.counting import add_to_rep_days, take_from_rep_days
from visits.models import CheckIn, Outcome, Visit, VisitMode

RISK_WEIGHT_PER_SIGNAL = 4.0
# An in-person visit with no check-in is checked before one with evidence from the door; one with a check-in and
# nothing odd about it is checked less.
NO_CHECK_IN_WEIGHT = 4.0
CHECKED_IN_WEIGHT = 0.25


def _uniform(seed: int, visit_id: int) -> float:
    """A number in (0, 1) fixed by the seed and the visit: the draw's only source of chance."""
    digest = hashlib.blake2b(f"{seed}:{visit_id}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 1) / (2**64 + 2)


def select_sample(
    candidates: list[tuple[int, int, str]],
    *,
    seed: int,
    effective_rate: float,
    potential_rate: float,
    minimum_per_rep: int,
    weights: dict[int, float] | None = None,
    already_per_rep: dict[int, int] | None = None,
    always: set[int] | None = None,
) -> list[int]:
    """Choose visits from (visit id, rep id, outcome) candidates: those `always` audited, then each outcome up to its
    rate, then enough of each rep.

    Each visit gets the key u ** (1 / weight), u fixed by the seed; the highest keys are chosen (weighted sampling
    without replacement; with no weights, a plain random order). The same candidates and seed give the same sample.
    """
    weights = weights or {}
    always = always or set()
    already_per_rep = already_per_rep or {}
    keyed = sorted(
        (
            (
                2.0 if visit_id in always else _uniform(seed, visit_id) ** (1 / weights.get(visit_id, 1.0)),
                visit_id,
                rep_id,
                outcome,
            )
            for visit_id, rep_id, outcome in candidates
        ),
        reverse=True,
    )
    chosen: list[int] = []
    per_rep = dict(already_per_rep)
    for outcome, rate in ((Outcome.EFFECTIVE, effective_rate), (Outcome.POTENTIAL, potential_rate)):
        stratum = [entry for entry in keyed if entry[3] == outcome]
        quota = max(math.floor(len(stratum) * rate / 100 + 0.5), sum(1 for entry in stratum if entry[1] in always))
        for _key, visit_id, rep_id, _outcome in stratum[:quota]:
            chosen.append(visit_id)
            per_rep[rep_id] = per_rep.get(rep_id, 0) + 1
    taken = set(chosen)
    for _key, visit_id, rep_id, _outcome in keyed:
        if visit_id not in taken and per_rep.get(rep_id, 0) < minimum_per_rep:
            chosen.append(visit_id)
            taken.add(visit_id)
            per_rep[rep_id] = per_rep.get(rep_id, 0) + 1
    return chosen


def draw_sample(
    *, team: Team, day: date, actor: User | None = None, seed: int | None = None, automatic: bool = False
) -> Draw:
    """Draw a stratified random sample of the team's visits of `day` that were never drawn before.

    On demand, only days whose entry has closed can be drawn, so a rep never learns from a locked visit that it
    was sampled while still entering the day.
    """
    if actor is not None:
        require_qc_of(actor, team)
    now = timezone.now()
    if not is_entry_closed(team, day, now):
        raise DomainError(_("Visits of %(day)s can be drawn once the day's entry has closed.") % {"day": day})
    policy = policy_for(team)
    seed = secrets.randbits(62) if seed is None else seed
    with transaction.atomic():
        lock_team_job(team, f"draw-{day.isoformat()}")
        pool = Visit.objects.filter(team=team, day=day, is_voided=False)
        rows = list(pool.filter(sample__isnull=True).values_list("pk", "rep_id", "outcome", "mode", "check_in"))
        candidates = [(visit_id, rep_id, outcome) for visit_id, rep_id, outcome, _mode, _spot in rows]
        already_per_rep = dict(
            pool.filter(sample__isnull=False)
            .values_list("rep_id")
            .annotate(count=Count("pk"))
            .values_list("rep_id", "count")
        )
        if actor is not None and not candidates:
            if already_per_rep:
                raise DomainError(
                    _("Every visit of %(day)s in %(team)s has been drawn already; there is nothing more to draw.")
                    % {"day": day, "team": team}
                )
            raise DomainError(_("%(team)s has no visits on %(day)s: nothing was drawn.") % {"day": day, "team": team})
        signals = risk_signals(team, day)
        weights = _draw_weights(rows, signals) if policy.qc_weight_by_risk else None
        always = {visit_id for visit_id, found in signals.items() if is_strong(found)}
        chosen = select_sample(
            candidates,
            seed=seed,
            effective_rate=float(policy.qc_effective_rate),
            potential_rate=float(policy.qc_potential_rate),
            minimum_per_rep=policy.qc_minimum_per_rep,
            weights=weights,
            already_per_rep=already_per_rep,
            always=always,
        )
        draw = Draw.objects.create(
            team=team,
            day=day,
            seed=seed,
            drawn_by=actor,
            is_automatic=automatic,
            weighted_by_risk=policy.qc_weight_by_risk,
            effective_rate=policy.qc_effective_rate,
            potential_rate=policy.qc_potential_rate,
            minimum_per_rep=policy.qc_minimum_per_rep,
            candidates=len(candidates),
            drawn_before=sum(already_per_rep.values()),
            created_at=now,
        )
        Sample.objects.bulk_create(
            (Sample(draw=draw, visit_id=visit_id, signals=signals.get(visit_id, [])) for visit_id in chosen),
            batch_size=2000,
        )
        Visit.objects.filter(sample__draw=draw).update(sampled_at=now)
    return draw


def draw_budget(*, team: Team, day: date) -> tuple[int, int, int]:
    """What a draw of `day` would cost before it runs: (visits not drawn yet, how many it would audit, how many of
    those are strong signals audited whatever the rates). Nothing is written."""
    policy = policy_for(team)
    pool = Visit.objects.filter(team=team, day=day, is_voided=False)
    rows = list(pool.filter(sample__isnull=True).values_list("pk", "rep_id", "outcome"))
    already_per_rep = dict(
        pool.filter(sample__isnull=False)
        .values_list("rep_id")
        .annotate(count=Count("pk"))
        .values_list("rep_id", "count")
    )
    always = {visit_id for visit_id, found in risk_signals(team, day).items() if is_strong(found)}
    chosen = select_sample(
        rows,
        seed=0,
        effective_rate=float(policy.qc_effective_rate),
        potential_rate=float(policy.qc_potential_rate),
        minimum_per_rep=policy.qc_minimum_per_rep,
        already_per_rep=already_per_rep,
        always=always,
    )
    return len(rows), len(chosen), len(always & {row[0] for row in rows})


def _draw_weights(rows, signals) -> dict[int, float]:
    """Each candidate's weight in the draw: evidence from the door lowers it, its absence and each signal raise it."""
    weights = {}
    for visit_id, _rep_id, _outcome, mode, spot in rows:
        found = signals.get(visit_id, [])
        if mode != VisitMode.IN_PERSON:
            base = 1.0
        elif spot is None:
            base = NO_CHECK_IN_WEIGHT
        else:
            base = 1.0 if found else CHECKED_IN_WEIGHT
        weights[visit_id] = base + RISK_WEIGHT_PER_SIGNAL * len(found)
    return weights


def draw_due_teams(*, now=None) -> list[Draw]:
    """Each morning at the team's QC draw time, draw yesterday's sample, once."""
    now = now or timezone.now()
    draws = []
    for team in Team.objects.filter(is_active=True):
        policy = policy_for(team)
        if not has_passed(team, policy.qc_draw_time, now):
            continue
        yesterday = local_day(team, now) - timedelta(days=1)
        if Draw.objects.filter(team=team, day=yesterday, is_automatic=True).exists():
            continue
        try:
            with transaction.atomic():
                draws.append(draw_sample(team=team, day=yesterday, automatic=True))
        except IntegrityError:
            continue  # another worker drew this team a moment ago
    return draws


def record_audit(*, actor: User, sample: Sample, outcome: str, notes: str = "", confirmed: bool = False) -> Audit:
    """Record what the customer said. A falsified visit is voided and becomes a permanent incident against the rep,
    so it is recorded only once the auditor has `confirmed` it."""
    if outcome not in AuditOutcome.values:
        raise DomainError(_("Choose the outcome of the check."))
    notes = (notes or "").strip()
    if outcome in (AuditOutcome.FALSIFIED, AuditOutcome.MINOR_MISMATCH) and not notes:
        raise DomainError(_("Say what did not match."))
    if outcome == AuditOutcome.FALSIFIED and not confirmed:
        raise DomainError(
            _("Tick the confirmation: a falsified visit is voided and stays on the rep's record for good.")
        )
    with transaction.atomic():
        current = Sample.objects.select_for_update().select_related("visit", "draw__team").get(pk=sample.pk)
        require_qc_of(actor, current.draw.team)
        if current.status not in OPEN_STATUSES:
            raise DomainError(_("This sample has already been audited."))
        now = timezone.now()
        audit = Audit.objects.create(sample=current, auditor=actor, outcome=outcome, notes=notes, created_at=now)
        current.attempts += 1
        if outcome == AuditOutcome.UNREACHABLE:
            limit = policy_for(current.draw.team).qc_unreachable_retries
            current.status = SampleStatus.UNVERIFIABLE if current.attempts > limit else SampleStatus.UNREACHABLE
        else:
            current.status = SampleStatus(outcome)
        if current.status not in OPEN_STATUSES:
            current.completed_at = now
        current.save(update_fields=["attempts", "status", "completed_at"])
        if outcome == AuditOutcome.FALSIFIED:
            _void(current.visit, audit, now)
        elif outcome == AuditOutcome.VERIFIED and current.visit.lead_id:
            # The customer confirmed the visit: where the rep checked in is where the company is.
            spot = CheckIn.objects.filter(visit=current.visit).first()
            if spot is not None:
                confirm_position_from_check_in(lead_id=spot.lead_id, latitude=spot.latitude, longitude=spot.longitude)
    return audit


def _void(visit: Visit, audit: Audit, now) -> None:
    """Take a falsified visit out of every count, withdraw its follow-up credit, and record the incident."""
    take_from_rep_days([visit.pk])
    Visit.objects.filter(pk=visit.pk).update(is_voided=True, voided_at=now)
    add_to_rep_days([visit.pk])
    if visit.is_follow_up and visit.lead_id:
        owner_id = Lead.objects.select_for_update().filter(pk=visit.lead_id).values_list("owner_id", flat=True).first()
        latest = Visit.objects.filter(
            lead_id=visit.lead_id, rep_id=owner_id, is_follow_up=True, is_voided=False
        ).aggregate(latest=Max("occurred_at"))["latest"]
        withdraw_follow_up(lead_id=visit.lead_id, credited_at_latest=latest, now=now)
    Incident.objects.create(rep_id=visit.rep_id, team_id=visit.team_id, visit=visit, audit=audit, created_at=now)
    details = {"visit": visit.pk, "rep": visit.rep_id, "company": visit.company_name, "day": visit.day.isoformat()}
    publish(HookEvent.QC_FALSIFIED, [(visit.team_id, details)], at=now)
    tell_group(
        visit.team_id,
        ChatPurpose.QC,
        lambda: (
            _("Integrity incident"),
            [
                _("QC found %(rep)s's visit to %(company)s on %(day)s falsified; it is voided.")
                % {"rep": visit.rep, "company": visit.company_name, "day": visit.day.isoformat()}
            ],
        ),
        at=now,
    )
    managers = Membership.objects.filter(team_id=visit.team_id, role=Role.MANAGER).values_list("user_id", flat=True)
    params = {"company": visit.company_name, "day": visit.day.isoformat(), "rep": str(visit.rep)}
    notify(
        [
            Notification(user_id=visit.rep_id, kind=Notification.Kind.INTEGRITY, params=params, created_at=now),
            *(
                Notification(user_id=manager_id, kind=Notification.Kind.TEAM_INTEGRITY, params=params, created_at=now)
                for manager_id in managers
            ),
        ]
    )
