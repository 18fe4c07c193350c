"""Risk signals of visits: reasons a visit deserves a closer look, shown to the auditor and usable as draw weights."""

import math
from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import Count

from visits.models import Visit

LATE_AFTER = timedelta(hours=12)
BURST_WINDOW = timedelta(minutes=5)
BURST_SIZE = 4
REPEATED_NOTES_MIN_LENGTH = 8
REPEATED_NOTES_DAYS = 30
FAR_KILOMETERS = 2.0


def _kilometers(a, b) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def risk_signals(team, day) -> dict[int, list[dict]]:
    """Return {visit id: [signal, ...]} for the team's visits of `day`, with a fixed number of queries."""
    visits = list(
        Visit.objects.filter(team=team, day=day, is_voided=False).values(
            "pk", "rep_id", "lead_id", "occurred_at", "entered_at", "notes", "latitude", "longitude"
        )
    )
    signals: dict[int, list[dict]] = defaultdict(list)
    for visit in visits:
        delay = visit["entered_at"] - visit["occurred_at"]
        if delay > LATE_AFTER:
            signals[visit["pk"]].append({"code": "late_entry", "hours": round(delay.total_seconds() / 3600)})
    _bursts(visits, signals)
    _repeated_notes(team, day, visits, signals)
    _far_positions(team, day, visits, signals)
    _shared_phones(team, day, visits, signals)
    return signals


def _bursts(visits, signals) -> None:
    """Flag visits entered in a burst: several of one rep's entries minutes apart, as if typed from memory."""
    by_rep = defaultdict(list)
    for visit in visits:
        by_rep[visit["rep_id"]].append(visit)
    for entries in by_rep.values():
        entries.sort(key=lambda visit: visit["entered_at"])
        start = 0
        for end, visit in enumerate(entries):
            while visit["entered_at"] - entries[start]["entered_at"] > BURST_WINDOW:
                start += 1
            if end - start + 1 >= BURST_SIZE:
                for member in entries[start : end + 1]:
                    if not any(signal["code"] == "burst" for signal in signals[member["pk"]]):
                        signals[member["pk"]].append({"code": "burst", "count": end - start + 1})


def _repeated_notes(team, day, visits, signals) -> None:
    """Flag notes copied from another visit of the team in the last month."""
    repeated = dict(
        Visit.objects.filter(team=team, day__gt=day - timedelta(days=REPEATED_NOTES_DAYS), day__lte=day)
        .exclude(notes="")
        .values_list("notes")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("notes", "count")
    )
    for visit in visits:
        notes = visit["notes"]
        if len(notes.strip()) >= REPEATED_NOTES_MIN_LENGTH and notes in repeated:
            signals[visit["pk"]].append({"code": "repeated_notes", "count": repeated[notes]})


def _far_positions(team, day, visits, signals) -> None:
    """Flag a browser position far from where other visits to the same lead were made."""
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
