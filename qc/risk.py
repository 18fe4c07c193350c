"""Risk signals of visits: reasons a visit deserves a closer look, shown to the auditor and used by the draw.

What an honest rep does must raise nothing: entering the day's visits in one evening batch before the cut-off is the
method, and a short stock phrase ("老板不在，下次再来") is how people write. The signals look for what a faker leaves:
an entry after the cut-off, a long note copied word for word, a position far from where the lead was met before, two
check-ins too far apart for the time between them, and the switch of a rep who checks in at some doors and enters
the rest hours later without one. Strong signals are audited always; the rest weigh the draw.
"""

import math
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from django.db import connection
from django.db.models import Count

from core.policy import policy_for
from leads.models import Lead
from visits.models import CheckIn, Visit, VisitMode, VisitPhoto

# A note shorter than this is a stock phrase, not evidence of copying.
REPEATED_NOTES_MIN_LENGTH = 25
REPEATED_NOTES_DAYS = 30
FAR_KILOMETERS = 2.0
# Faster than a car in a city, over a distance that GPS error cannot explain.
IMPOSSIBLE_KMH = 120
IMPOSSIBLE_MIN_KILOMETERS = 3.0
# An entry this long after the visit, by a rep who checked in at other doors that day, is a switch.
SWITCH_AFTER = timedelta(hours=2)
# A phone clock further than this from the server's when an entry is sent (drift is seconds, not minutes).
CLOCK_SKEW_SECONDS = 10 * 60
# A day of this many in-person visits with not one check-in stands on the rep's word alone.
NO_CHECK_IN_DAY_VISITS = 3
# Audited whenever they fire: each is evidence on its own, not a hint.
STRONG_SIGNALS = frozenset({"far_from_lead", "far_position", "impossible_speed", "repeated_notes", "reused_photo"})
# A photo seen on another visit within this many days is a photo used twice.
REUSED_PHOTO_DAYS = 90


def _kilometers(a, b) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def risk_signals(team, day) -> dict[int, list[dict]]:
    """Return {visit id: [signal, ...]} for the team's visits of `day`, with a fixed number of queries."""
    visits = list(
        Visit.objects.filter(team=team, day=day, is_voided=False).values(
            "pk",
            "rep_id",
            "lead_id",
            "mode",
            "occurred_at",
            "entered_at",
            "is_late",
            "notes",
            "latitude",
            "longitude",
            "accuracy_meters",
            "check_in",
            "device_clock_skew",
        )
    )
    signals: dict[int, list[dict]] = defaultdict(list)
    for visit in visits:
        if visit["is_late"]:
            signals[visit["pk"]].append({"code": "late_entry"})
        skew = visit["device_clock_skew"]
        if skew is not None and abs(skew) > CLOCK_SKEW_SECONDS:
            signals[visit["pk"]].append({"code": "clock_skew", "minutes": round(skew / 60)})
    _repeated_notes(team, day, visits, signals)
    _far_from_leads(team, visits, signals)
    _far_positions(team, day, visits, signals)
    _switches(visits, signals)
    _impossible_speeds(team, day, signals)
    _reused_photos(team, day, signals)
    _shared_phones(team, day, visits, signals)
    return signals


def is_strong(found: list[dict]) -> bool:
    return any(signal["code"] in STRONG_SIGNALS for signal in found)


def _repeated_notes(team, day, visits, signals) -> None:
    """Flag a long note copied word for word from another visit of the team in the last month."""
    long_notes = {visit["notes"] for visit in visits if len(visit["notes"].strip()) >= REPEATED_NOTES_MIN_LENGTH}
    if not long_notes:
        return
    repeated = dict(
        Visit.objects.filter(
            team=team, day__gt=day - timedelta(days=REPEATED_NOTES_DAYS), day__lte=day, notes__in=long_notes
        )
        .values_list("notes")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("notes", "count")
    )
    for visit in visits:
        if visit["notes"] in repeated:
            signals[visit["pk"]].append({"code": "repeated_notes", "count": repeated[visit["notes"]]})


def _far_from_leads(team, visits, signals) -> None:
    """Flag a position farther from the lead's known place than the team's radius, beyond the phone's accuracy."""
    located = [visit for visit in visits if visit["latitude"] is not None and visit["lead_id"]]
    if not located:
        return
    places = {
        lead_id: (float(latitude), float(longitude))
        for lead_id, latitude, longitude in Lead.objects.filter(
            pk__in={visit["lead_id"] for visit in located}, latitude__isnull=False
        ).values_list("pk", "latitude", "longitude")
    }
    radius = policy_for(team).position_radius_meters
    for visit in located:
        place = places.get(visit["lead_id"])
        if place is None:
            continue
        meters = 1000 * _kilometers((float(visit["latitude"]), float(visit["longitude"])), place)
        if meters - (visit["accuracy_meters"] or 0) > radius:
            signals[visit["pk"]].append({"code": "far_from_lead", "meters": round(meters)})


def _far_positions(team, day, visits, signals) -> None:
    """Flag a position far from where other visits to the same lead were made."""
    located = [visit for visit in visits if visit["latitude"] is not None and visit["lead_id"]]
    if not located:
        return
    known = defaultdict(list)
    for lead_id, visit_id, latitude, longitude in Visit.objects.filter(
        lead__in=Visit.objects.filter(team=team, day=day).values("lead"),
        latitude__isnull=False,
        is_voided=False,
    ).values_list("lead_id", "pk", "latitude", "longitude"):
        known[lead_id].append((visit_id, float(latitude), float(longitude)))
    for visit in located:
        others = [(lat, lon) for visit_id, lat, lon in known[visit["lead_id"]] if visit_id != visit["pk"]]
        if not others:
            continue
        centre = (
            sorted(lat for lat, _ in others)[len(others) // 2],
            sorted(lon for _, lon in others)[len(others) // 2],
        )
        distance = _kilometers((float(visit["latitude"]), float(visit["longitude"])), centre)
        if distance > FAR_KILOMETERS:
            signals[visit["pk"]].append({"code": "far_position", "km": round(distance, 1)})


def _switches(visits, signals) -> None:
    """Flag a rep's in-person visits entered hours later without a check-in, on a day they checked in elsewhere;
    and the visits of a day with no check-in at all (allowed, a phone breaks, but the day stands on words alone)."""
    by_rep = defaultdict(list)
    for visit in visits:
        if visit["mode"] == VisitMode.IN_PERSON:
            by_rep[visit["rep_id"]].append(visit)
    for entries in by_rep.values():
        if not any(visit["check_in"] for visit in entries):
            if len(entries) >= NO_CHECK_IN_DAY_VISITS:
                for visit in entries:
                    signals[visit["pk"]].append({"code": "no_check_in_day", "count": len(entries)})
            continue
        for visit in entries:
            if not visit["check_in"] and visit["entered_at"] - visit["occurred_at"] > SWITCH_AFTER:
                signals[visit["pk"]].append({"code": "switch"})


def _impossible_speeds(team, day, signals) -> None:
    """Flag the visit of a check-in reached from the rep's previous one faster than any car could."""
    by_rep = defaultdict(list)
    for spot in CheckIn.objects.filter(team=team, day=day, latitude__isnull=False).order_by("rep_id", "checked_in_at"):
        by_rep[spot.rep_id].append(spot)
    for spots in by_rep.values():
        for before, after in pairwise(spots):
            kilometers = _kilometers(
                (float(before.latitude), float(before.longitude)), (float(after.latitude), float(after.longitude))
            )
            hours = max((after.checked_in_at - before.checked_in_at).total_seconds() / 3600, 1 / 60)
            if kilometers > IMPOSSIBLE_MIN_KILOMETERS and kilometers / hours > IMPOSSIBLE_KMH and after.visit_id:
                signals[after.visit_id].append({"code": "impossible_speed", "kmh": round(kilometers / hours)})


def _reused_photos(team, day, signals) -> None:
    """Flag a visit whose photo (by its fingerprint) was also attached to another visit of the team lately."""
    todays = list(VisitPhoto.objects.filter(team=team, visit__day=day).values_list("visit_id", "fingerprint"))
    if not todays:
        return
    seen = defaultdict(set)
    for visit_id, fingerprint in VisitPhoto.objects.filter(
        team=team,
        fingerprint__in={fingerprint for _visit, fingerprint in todays},
        visit__day__gte=day - timedelta(days=REUSED_PHOTO_DAYS),
    ).values_list("visit_id", "fingerprint"):
        seen[fingerprint].add(visit_id)
    flagged = set()
    for visit_id, fingerprint in todays:
        if seen[fingerprint] - {visit_id} and visit_id not in flagged:
            flagged.add(visit_id)
            signals[visit_id].append({"code": "reused_photo", "visits": len(seen[fingerprint])})


SHARED_PHONE_SQL = """
SELECT DISTINCT visit.id
  FROM visits_visit AS visit
  JOIN leads_lead AS lead ON lead.id = visit.lead_id
  JOIN leads_lead AS other ON other.phone_key = lead.phone_key AND other.id <> lead.id
 WHERE visit.team_id = %s AND visit.day = %s AND visit.is_voided = FALSE AND lead.phone_key <> ''
   AND other.owner_id IS NOT NULL AND other.owner_id <> visit.rep_id
"""


def _shared_phones(team, day, visits, signals) -> None:
    """Flag a visit whose lead's phone number belongs to another rep's lead too (one join, on the phone index)."""
    with connection.cursor() as cursor:
        cursor.execute(SHARED_PHONE_SQL, [team.pk, day])
        for (visit_id,) in cursor.fetchall():
            signals[visit_id].append({"code": "shared_phone"})
