"""Growth: do the pages and jobs that read the visits and the lead events stay flat as a year of history piles up?

At 5,000 reps the visits table grows by about 12 million rows a year (8 a rep a working day) and the lead events by
tens of millions. The plan (README, Growth) is to keep both tables whole and read them only through indexes that
start with the team or rep and the day or time, so a page's cost follows the days it shows, not the years behind
them. This benchmark checks that: the pages that read those tables are measured on the generated organisation
(four weeks of history), then again after eleven more months of visits and a year of lead events are added;
`growth` is each page's p95 with a year behind it over its p95 with four weeks."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from core.calendar import local_day, zone_of
from core.models import Team
from devtools.benchmarks.pages import _measure
from devtools.generate import create_visits_of_every_rep, max_rss_megabytes
from devtools.organisation import organisation
from pools.services.reclaim import reclaim_overdue

# The pages a rep, manager or QC opens that read visits, rep days or lead events.
READERS = (
    "today",
    "visits",
    "team_visits",
    "lead",
    "manager_home",
    "meeting",
    "compliance",
    "dashboard",
    "team_leads",
    "qc_queue",
)
EVENTS_PER_LEAD = 6


def _add_a_year(team: Team) -> tuple[int, int]:
    """Eleven more months of visits before the organisation's four weeks, and a year of lead events."""
    zone = zone_of(team)
    today = local_day(team)
    for offset in range(29, 365):
        day = today - timedelta(days=offset)
        if day.weekday() != 6:
            create_visits_of_every_rep(day, 8, zone)
    with connection.cursor() as cursor:
        # Old history of every lead: moves back and forth, spread over the year, as the events of a busy pool are.
        cursor.execute(
            """
            INSERT INTO pools_leadevent (lead_id, team_id, kind, actor_id, job, from_state, to_state, from_owner_id,
                                         to_owner_id, reason, reason_code, created_at)
            SELECT l.id, l.team_id, CASE WHEN g.n %% 2 = 0 THEN 'reclaimed' ELSE 'allocated' END, NULL, 'bench',
                   'assigned', 'public', NULL, NULL, '', '',
                   %(now)s - make_interval(days => (30 + (l.id * 7 + g.n * 53) %% 335)::int)
              FROM leads_lead AS l CROSS JOIN generate_series(1, %(events)s) AS g(n)
            """,
            {"now": timezone.now(), "events": EVENTS_PER_LEAD},
        )
        # As autovacuum leaves a table in production: statistics current and the visibility map set, so counts over
        # an index read no heap (without it, this run measures the bulk insert's aftermath, not a year of history).
        vacuum = "VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE"
        for table in ("visits_visit", "pools_leadevent", "visits_repday"):
            cursor.execute(f"{vacuum} {table}")
        cursor.execute("SELECT (SELECT count(*) FROM visits_visit), (SELECT count(*) FROM pools_leadevent)")
        return cursor.fetchone()


def _reclaim_seconds() -> float:
    started = timezone.now()
    reclaim_overdue()
    return round((timezone.now() - started).total_seconds(), 3)


def bench_growth(scale: float) -> dict:
    if connection.vendor != "postgresql":
        return {"rows": 0, "seconds": None, "skipped": "the growth benchmark needs PostgreSQL"}
    org = organisation(scale)
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM visits_visit), (SELECT count(*) FROM pools_leadevent)")
        month_visits, month_events = cursor.fetchone()
    month = {name: _measure(name, scale) for name in READERS}
    month_reclaim = _reclaim_seconds()
    year_visits, year_events = _add_a_year(Team.objects.get(pk=org.big_team_id))
    year = {name: _measure(name, scale) for name in READERS}
    year_reclaim = _reclaim_seconds()
    pages = {
        name: {
            "month_p95_ms": month[name]["p95_milliseconds"],
            "year_p95_ms": year[name]["p95_milliseconds"],
            "growth": round(year[name]["p95_milliseconds"] / month[name]["p95_milliseconds"], 2),
            "queries": f"{month[name]['queries']} → {year[name]['queries']}",
        }
        for name in READERS
    }
    worst = max(page["growth"] for page in pages.values())
    return {
        "rows": org.leads,
        "reps": org.reps,
        "seconds": max(page["year_p95_ms"] for page in pages.values()) / 1000,
        "visits": f"{month_visits} → {year_visits}",
        "lead_events": f"{month_events} → {year_events}",
        "worst_growth": worst,
        "reclaim_seconds": f"{month_reclaim} → {year_reclaim}",
        "pages": pages,
        "max_rss_megabytes": max_rss_megabytes(),
    }
