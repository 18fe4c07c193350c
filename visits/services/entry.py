"""Entering a visit: on a lead or cold, online or sent later from a phone without signal (once), and changing it
afterwards (freely until its day closes, then only by amendment)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.access import require_manager_of, require_rep_team
from core.calendar import entry_closes_at, is_entry_closed, local_day, zone_of
from core.errors import DomainError
from core.locks import lock_rep
from core.models import Team, User
from deals.services import note_visit
from hooks.models import HookEvent
from hooks.outbox import publish
from leads.duplicates import find_duplicate
from leads.models import Collision, Lead, LeadSource, LeadState
from leads.services.intake import create_lead, describe_duplicate, record_collision
from leads.values import as_one_message, problems_with
from pools.services.ownership import claim_lead, record_follow_up
from visits.counting import COUNTED_FIELDS, add_to_rep_days, repeats_a_counted_visit, take_from_rep_days
from visits.models import (
    DECISION_MAKERS,
    CheckIn,
    NotCounted,
    Outcome,
    Visit,
    VisitAmendment,
    VisitMode,
)
from visits.selectors import lead_open_for_visit, open_check_in

EDITABLE_FIELDS = ("mode", "person_met", "person_role", "outcome", "notes", "next_step", "building", "address")
# A visit may be entered up to this long after it happened (it is marked late after the day's cut-off).
LONGEST_BACKDATING = timedelta(days=7)


@dataclass
class LogResult:
    visit: Visit
    notices: list[str] = field(default_factory=list)  # what the rep should know, e.g. the lead has moved
    replayed: bool = False  # the phone sent an entry already saved: this is that visit, nothing new was written


def is_locked(visit: Visit, now=None) -> bool:
    """A visit is changed only by amendment once its day's entry has closed or QC has sampled it."""
    return visit.sampled_at is not None or is_entry_closed(visit.team, visit.day, now)


def _validate(values: dict) -> None:
    if values["outcome"] == Outcome.EFFECTIVE:
        if values["person_role"] not in DECISION_MAKERS:
            raise DomainError(
                _("An effective visit means you met the owner or a senior decision-maker; choose their role.")
            )
        if not (values.get("next_step") or "").strip():
            raise DomainError(_("An effective visit moves the deal forward: write the agreed next step."))
    if values["mode"] not in VisitMode.values:
        raise DomainError(_("Choose whether you visited in person or followed up by phone."))


# A browser's accuracy beyond this (100 km) says nothing about where the rep stood.
LARGEST_ACCURACY_METERS = 100_000


def clean_location(latitude, longitude, accuracy):
    """Keep a browser position only when it is complete and plausible; the form works without one."""
    try:
        latitude, longitude = Decimal(str(latitude)), Decimal(str(longitude))
        if not (latitude.is_finite() and longitude.is_finite()):
            return None, None, None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None, None, None
    except (ArithmeticError, ValueError, TypeError):
        return None, None, None
    try:
        accuracy = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        accuracy = None
    if accuracy is not None and not 0 <= accuracy <= LARGEST_ACCURACY_METERS:  # NaN fails this too
        accuracy = None
    accuracy = round(accuracy) if accuracy is not None else None
    return latitude.quantize(Decimal("0.000001")), longitude.quantize(Decimal("0.000001")), accuracy


def _resolve_cold_lead(
    actor: User, team: Team, cold: dict, notices: list[str]
) -> tuple[Lead | None, bool, Collision | None]:
    """Find or make the lead of a cold visit, as the duplicate check and the pool rules allow.

    Return the lead the visit belongs to (None when it belongs to nobody the rep may work), whether it is new, and
    the collision recorded when the company is a colleague's lead.
    """
    existing = find_duplicate(cold.get("company_name", ""), cold.get("phone", ""))
    if existing is None:
        lead = create_lead(
            actor=actor,
            values={**cold, "building": cold.get("building", "")},
            source=LeadSource.COLD_VISIT,
        )
        return lead, True, None
    if existing.owner_id == actor.pk:
        return existing, False, None
    if existing.state == LeadState.PUBLIC and existing.team_id == team.pk:
        try:
            claim_lead(actor=actor, lead=existing)
        except DomainError as error:
            notices.append(
                _("%(company)s is in the public pool but could not be claimed: %(why)s")
                % {"company": existing.company_name, "why": error.message}
            )
            return None, False, None
        notices.append(_("%(company)s was in the public pool; it is yours now.") % {"company": existing.company_name})
        return existing, False, None
    collision = record_collision(
        existing=existing,
        actor=actor,
        company_name=cold.get("company_name", ""),
        phone=cold.get("phone", ""),
        source=LeadSource.COLD_VISIT,
    )
    notices.append(
        describe_duplicate(existing, actor)
        + " "
        + _("Your visit is saved; it counts towards your targets once your manager accepts it.")
    )
    return None, False, collision


# A phone whose clock is this close to the server's is believed about when it saved an entry.
TRUSTED_CLOCK = timedelta(minutes=5)


def entry_moment(*, now: datetime, saved_on_phone_at: datetime | None, device_time: datetime | None) -> datetime:
    """When an entry counts as made. Online, when it arrives. Queued on a phone without signal, when it was saved
    there, as long as the phone's clock was within TRUSTED_CLOCK of the server's when it sent the entry (its save time
    is then read on the server's clock); otherwise, when it arrives. So a visit saved offline at 22:40 and sent at
    23:20 is on time with a correct clock, and late with a clock set back."""
    if saved_on_phone_at is None or device_time is None:
        return now
    skew = device_time - now
    if abs(skew) > TRUSTED_CLOCK:
        return now
    return min(saved_on_phone_at - skew, now)


def _sent_before(actor: User, client_id) -> LogResult | None:
    visit = Visit.objects.filter(rep=actor, client_id=client_id).first()
    if visit is None:
        return None
    return LogResult(visit=visit, notices=[_("This entry was already saved.")], replayed=True)


# A phone clock further off than this is not drift; beyond a day it is no clock reading at all.
LARGEST_CLOCK_SKEW = timedelta(days=1)


def _clock_skew(device_time: datetime | None, now: datetime) -> int | None:
    if device_time is None:
        return None
    skew = device_time - now
    if abs(skew) > LARGEST_CLOCK_SKEW:
        skew = LARGEST_CLOCK_SKEW if skew > timedelta(0) else -LARGEST_CLOCK_SKEW
    return round(skew.total_seconds())


def log_visit(
    *,
    actor: User,
    values: dict,
    lead: Lead | None = None,
    lead_id: int | None = None,
    cold: dict | None = None,
    occurred_at: datetime | None = None,
    location: tuple = (None, None, None),
    device_time: datetime | None = None,
    client_id: uuid.UUID | None = None,
    saved_on_phone_at: datetime | None = None,
) -> LogResult:
    """Record a visit on one of the rep's leads, or a cold visit that finds, claims or creates its lead.

    The visit is always saved. On a lead the rep owns it counts as the follow-up and moves the deadlines; if the
    lead was taken back meanwhile, the rep is told it has moved. The lead is named by `lead` or by `lead_id`.

    An entry made offline carries the phone's id for it (`client_id`): sent again, it is answered with the visit
    already saved. It also carries when it was saved on the phone and the phone's clock as it is sent
    (`device_time`): see `entry_moment` for when such an entry counts as made.
    """
    lead_id = lead.pk if lead is not None else lead_id
    team = require_rep_team(actor)
    now = timezone.now()
    if client_id is not None:
        # A replay is answered before any check: the entry may no longer pass them (a week later, a lead moved), yet
        # it was saved. The check is made again under the rep's lock below, for two tabs sending it at once.
        earlier = _sent_before(actor, client_id)
        if earlier is not None:
            return earlier
    made_at = entry_moment(now=now, saved_on_phone_at=saved_on_phone_at, device_time=device_time)
    stated_time = occurred_at is not None
    occurred_at = occurred_at or made_at
    if occurred_at > now + timedelta(minutes=5):
        raise DomainError(_("A visit cannot be in the future."))
    if occurred_at < now - LONGEST_BACKDATING:
        raise DomainError(_("Visits older than a week cannot be entered; ask your manager."))
    values = {name: values.get(name, "") for name in EDITABLE_FIELDS}
    values["mode"] = values["mode"] or VisitMode.IN_PERSON
    _validate(values)
    if lead_id is None and not cold:
        raise DomainError(_("Choose one of your leads, or enter the company of a cold visit."))
    notices: list[str] = []
    in_person = values["mode"] == VisitMode.IN_PERSON
    with transaction.atomic():
        if in_person or client_id is not None:
            # Two entries of one company at once: the one that commits first counts. Two tabs sending one queued
            # entry: the second finds the first's visit.
            lock_rep(actor)
        if client_id is not None:
            earlier = _sent_before(actor, client_id)
            if earlier is not None:
                return earlier
        created, collision = False, None
        if cold:
            if not (cold.get("company_name") or "").strip():
                raise DomainError(_("Enter the company of the cold visit."))
            # The values a cold visit brings are a lead's, checked as the lead form and the import check them.
            problems = problems_with(cold)
            if problems:
                raise DomainError(as_one_message(problems))
            lead, created, collision = _resolve_cold_lead(actor, team, cold, notices)
        else:
            lead = lead_open_for_visit(actor, lead_id)
            if lead is None:
                raise DomainError(_("This lead is not yours; log a cold visit instead."))
        day = local_day(team, occurred_at)
        latitude, longitude, accuracy = clean_location(*location)
        spot = open_check_in(actor, lead, day) if in_person and lead is not None else None
        if spot is not None:
            # The check-in is the evidence of when and where: an entry made later ("just now") takes its time.
            if not stated_time:
                occurred_at = spot.checked_in_at
            if latitude is None:
                latitude, longitude, accuracy = spot.latitude, spot.longitude, spot.accuracy_meters
        # A customer's visit is service, not a pool follow-up: there is no timer to move.
        is_customer_visit = lead is not None and lead.owner_id == actor.pk and lead.state == LeadState.CUSTOMER
        is_follow_up = (
            lead is not None and not is_customer_visit and record_follow_up(actor=actor, lead=lead, at=occurred_at)
        )
        if lead is not None and not is_customer_visit and not is_follow_up:
            notices.append(
                _(
                    "%(company)s has moved to someone else; your visit is saved, but it no longer counts as "
                    "your follow-up."
                )
                % {"company": lead.company_name}
            )
        if lead is not None and (is_follow_up or is_customer_visit):
            note_visit(actor=actor, lead=lead, effective=values["outcome"] == Outcome.EFFECTIVE, at=occurred_at)
        company_name = (lead.company_name if lead else cold["company_name"])[:200]
        not_counted = ""
        if collision is not None:
            not_counted = NotCounted.COLLISION
        elif in_person and repeats_a_counted_visit(
            rep_id=actor.pk, day=day, lead_id=lead.pk if lead else None, company_name=company_name
        ):
            not_counted = NotCounted.REPEAT
            notices.append(
                _(
                    "You already visited %(company)s that day: this visit is saved, but only the first one counts "
                    "towards the day's targets."
                )
                % {"company": company_name}
            )
        late = is_entry_closed(team, day, made_at)
        if late:
            closed_at = timezone.localtime(entry_closes_at(team, day), zone_of(team))
            notices.append(
                _("Saved, and marked late: entry for %(day)s closed at %(time)s.")
                % {"day": formats.date_format(day, "SHORT_DATE_FORMAT"), "time": closed_at.strftime("%H:%M")}
            )
        visit = Visit.objects.create(
            rep=actor,
            team=team,
            lead=lead,
            company_name=company_name,
            not_counted=not_counted,
            collision=collision,
            day=day,
            occurred_at=occurred_at,
            entered_at=now,
            is_cold=bool(cold),
            contact_name=(cold or {}).get("contact_name", "")[:100],
            phone=(cold or {}).get("phone", "")[:50],
            created_lead=created,
            is_follow_up=is_follow_up,
            is_late=late,
            device_clock_skew=_clock_skew(device_time, now),
            client_id=client_id,
            saved_on_phone_at=saved_on_phone_at,
            latitude=latitude,
            longitude=longitude,
            accuracy_meters=accuracy,
            **{**values, "building": values["building"] or (cold or {}).get("building", "")},
        )
        add_to_rep_days([visit.pk])
        if spot is not None:
            CheckIn.objects.filter(pk=spot.pk).update(visit=visit)
        publish(HookEvent.VISIT_LOGGED, [(team.pk, visit.webhook_data())], at=now)
    return LogResult(visit=visit, notices=notices)


def edit_visit(*, actor: User, visit: Visit, changes: dict, reason: str = "") -> Visit:
    """Change a visit: freely until its entry closes; afterwards (or once sampled) only as an amendment, with why."""
    if visit.rep_id != actor.pk:
        raise DomainError(_("Only the rep who entered a visit can change it."))
    if visit.is_voided:
        raise DomainError(_("A voided visit cannot be changed."))
    changes = {name: value for name, value in changes.items() if name in EDITABLE_FIELDS}
    with transaction.atomic():
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        changed = {
            name: [getattr(current, name), value] for name, value in changes.items() if getattr(current, name) != value
        }
        if not changed:
            return current
        values = {name: getattr(current, name) for name in EDITABLE_FIELDS} | changes
        _validate(values)
        now = timezone.now()
        if is_locked(current, now):
            reason = (reason or "").strip()
            if not reason:
                raise DomainError(_("Entry for this day is closed: say why you are amending the visit."))
            VisitAmendment.objects.create(
                visit=current, amended_by=actor, amended_at=now, changes=changed, reason=reason
            )
        if changed.get("mode", [None, None])[1] == VisitMode.IN_PERSON and not current.not_counted:
            lock_rep(actor)
            if repeats_a_counted_visit(
                rep_id=actor.pk,
                day=current.day,
                lead_id=current.lead_id,
                company_name=current.company_name,
                excluding=current.pk,
            ):
                changed["not_counted"] = [current.not_counted, NotCounted.REPEAT]
        counted_again = not changed.keys().isdisjoint(COUNTED_FIELDS)
        if counted_again:
            take_from_rep_days([current.pk])
        for name, (_old, new) in changed.items():
            setattr(current, name, new)
        current.save(update_fields=list(changed))
        if counted_again:
            add_to_rep_days([current.pk])
    return current


def decide_collision_visit(*, actor: User, visit: Visit, accept: bool) -> Visit:
    """A manager's decision on a cold visit that found a colleague's lead: it counts for the rep who made it only if
    accepted (and then only as the first visit to that company that day)."""
    require_manager_of(actor, visit.team_id)
    with transaction.atomic():
        lock_rep(visit.rep)
        current = Visit.objects.select_for_update().get(pk=visit.pk)
        if current.not_counted != NotCounted.COLLISION:
            raise DomainError(_("This visit is not waiting for a decision."))
        decided = NotCounted.REJECTED
        if accept:
            repeat = repeats_a_counted_visit(
                rep_id=current.rep_id, day=current.day, lead_id=None, company_name=current.company_name
            )
            decided = NotCounted.REPEAT if repeat else ""
        take_from_rep_days([current.pk])
        current.not_counted = decided
        current.save(update_fields=["not_counted"])
        add_to_rep_days([current.pk])
    return current
