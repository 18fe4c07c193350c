"""What a visit counts for: the one definition of a counted visit and of a day's targets met.

Today, the evening meeting, weekly compliance and the dashboards all count through this module, in Python or in
SQL built from it, so the number a rep sees on the phone is the number the manager sees on the projector.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache

from django.db import connection
from django.db.models import BigIntegerField, Case, Count, DateField, IntegerField, Q, QuerySet, Sum, Value, When

from core.models import TeamPolicy
from core.statements import Slot, Statement
from leads.normalize import company_key
from visits.models import Outcome, RepDay, Visit, VisitMode

# A voided visit (falsified, found by QC) counts nowhere.
NOT_VOIDED = Q(is_voided=False)
# A counted visit: in person, not voided, and the first to its company that day (a second one is kept but marked,
# see `repeats_a_counted_visit`). Phone follow-ups still count as follow-ups, not as visits.
COUNTED_VISIT = NOT_VOIDED & Q(mode=VisitMode.IN_PERSON, not_counted="")
EFFECTIVE_VISIT = COUNTED_VISIT & Q(outcome=Outcome.EFFECTIVE)
# The fields of a visit the counts depend on: a change to any of them changes what the visit counts for.
COUNTED_FIELDS = frozenset({"is_voided", "mode", "outcome", "is_cold", "not_counted"})


def repeats_a_counted_visit(*, rep_id: int, day: date, lead_id: int | None, company_name: str, excluding=None) -> bool:
    """Whether the rep already has a counted visit that day to the same company: the same lead, or a company whose
    name means the same (a cold visit entered twice). At most one visit per company per rep per day counts."""
    key = company_key(company_name)
    return any(
        (lead_id is not None and other_lead_id == lead_id) or company_key(other_name) == key
        for other_lead_id, other_name in counted_companies(rep_id=rep_id, day=day, excluding=excluding)
    )


def _counted_visits_of_rep_day():
    return Visit.objects.filter(COUNTED_VISIT, rep_id=Slot("rep", BigIntegerField()), day=Slot("day", DateField()))


# Read at every visit's entry (a repeat is not counted) and on every form: compiled once.
_COUNTED_COMPANIES = Statement(lambda: _counted_visits_of_rep_day().values_list("lead_id", "company_name"))
_COUNTED_COMPANIES_BUT_ONE = Statement(
    lambda: (
        _counted_visits_of_rep_day()
        .exclude(pk=Slot("excluding", BigIntegerField()))
        .values_list("lead_id", "company_name")
    )
)


def counted_companies(*, rep_id: int, day: date, excluding=None) -> list[tuple[int | None, str]]:
    """The lead and company of each visit that counted for the rep on `day` (but the visit `excluding`)."""
    if excluding is None:
        return _COUNTED_COMPANIES.rows(rep=rep_id, day=day)
    return _COUNTED_COMPANIES_BUT_ONE.rows(rep=rep_id, day=day, excluding=excluding)


def _number_of(condition: Q) -> Sum:
    # A sum of ones rather than COUNT ... FILTER: PostgreSQL groups the month of a 5,000-rep team ~9% faster so.
    return Sum(Case(When(condition, then=Value(1)), default=Value(0)), output_field=IntegerField(), default=0)


def visit_counts(*names: str) -> dict:
    """Aggregates of a set of visits: counted, effective, cold and phone follow-ups (or only those `names`)."""
    counts = {
        "in_person": _number_of(COUNTED_VISIT),
        "effective": _number_of(EFFECTIVE_VISIT),
        "cold": _number_of(COUNTED_VISIT & Q(is_cold=True)),
        "phone": _number_of(NOT_VOIDED & Q(mode=VisitMode.PHONE)),
    }
    return {name: counts[name] for name in names} if names else counts


# Each daily target: the count it judges and the policy field that sets it.
TARGETS = {"in_person": "daily_visit_target", "effective": "daily_effective_target"}


def targets_met(counts: Mapping, policy: TeamPolicy) -> bool:
    """Whether a rep's day, counted by `visit_counts`, met every daily target of the team."""
    return all(counts[count] >= getattr(policy, target) for count, target in TARGETS.items())


def targets_met_sql(counts_alias: str, policy_alias: str) -> str:
    """The same judgement as `targets_met`, as an SQL condition over joined rows of counts and of team policy."""
    return " AND ".join(f"{counts_alias}.{count} >= {policy_alias}.{target}" for count, target in TARGETS.items())


def counts_per_rep_day(visits: QuerySet[Visit]) -> QuerySet:
    """Return one row per rep, team and day of `visits` with the counts the daily targets judge."""
    return visits.order_by().values("rep_id", "team_id", "day").annotate(**visit_counts(*TARGETS))


# The counts kept per rep and day (RepDay): the same aggregates, and every visit for "the day was worked".
KEPT_COUNTS = ("visits", "in_person", "effective", "cold", "phone")


def _kept_counts() -> dict:
    return {"visits": Count("pk"), **visit_counts()}


def _upsert(visits: QuerySet[Visit], *, sign: int | None) -> tuple[str, list]:
    """The statement that upserts the counts of `visits` per rep and day: added to the kept ones `sign` times, or,
    with no sign, in their place."""
    counted, params = (
        visits.order_by().values("rep_id", "team_id", "day").annotate(**_kept_counts()).query.sql_with_params()
    )
    table = RepDay._meta.db_table
    columns = ", ".join(("rep_id", "team_id", "day", *KEPT_COUNTS))
    if sign is None:
        selected = columns
        updates = ", ".join(f"{name} = excluded.{name}" for name in KEPT_COUNTS)
    else:
        selected = ", ".join(("rep_id", "team_id", "day", *(f"{sign} * {name}" for name in KEPT_COUNTS)))
        updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in KEPT_COUNTS)
    # "WHERE true": SQLite needs it to tell an upsert's ON CONFLICT from a join's.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {selected} FROM ({counted}) AS counted WHERE true "
        f"ON CONFLICT (rep_id, team_id, day) DO UPDATE SET {updates}"
    )
    return sql, list(params)


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@lru_cache(maxsize=32)
def _upsert_of_visits(count: int, sign: int) -> tuple[str, tuple, tuple[int, ...]] | None:
    """The upsert for `count` visits named by id, compiled once: compiling the aggregate took longer than running it
    for one visit (a quarter of a visit entry's time). Built with stand-in ids, it says where each real id goes;
    None if the stand-ins cannot be told apart from the other parameters."""
    stand_ins = tuple(range(-1, -count - 1, -1))  # no visit has a negative id
    sql, params = _upsert(Visit.objects.filter(pk__in=stand_ins), sign=sign)
    slots = tuple(index for index, param in enumerate(params) if param in stand_ins)
    if [params[slot] for slot in slots] != list(stand_ins):
        return None
    return sql, tuple(params), slots


def _change_rep_days(visit_ids: Iterable[int], *, sign: int) -> None:
    ids = list(dict.fromkeys(visit_ids))
    if not ids:
        return
    compiled = _upsert_of_visits(len(ids), sign)
    if compiled is None:
        _execute(*_upsert(Visit.objects.filter(pk__in=ids), sign=sign))
        return
    sql, params, slots = compiled
    params = list(params)
    for slot, visit_id in zip(slots, ids, strict=True):
        params[slot] = visit_id
    _execute(sql, params)


# Read by Today after every visit's entry: compiled once.
_KEPT_COUNTS_OF_DAY = Statement(
    lambda: RepDay.objects.filter(
        rep_id=Slot("rep", BigIntegerField()), team_id=Slot("team", BigIntegerField()), day=Slot("day", DateField())
    ).values_list(*KEPT_COUNTS)
)


def kept_counts_of(rep_id: int, team_id: int, day: date) -> dict:
    """The kept counts of one rep's day (zeros for a day with no visit yet): what Today shows, read by its key."""
    rows = _KEPT_COUNTS_OF_DAY.rows(rep=rep_id, team=team_id, day=day)
    return dict(zip(KEPT_COUNTS, rows[0], strict=True)) if rows else dict.fromkeys(KEPT_COUNTS, 0)


def add_to_rep_days(visit_ids: Iterable[int]) -> None:
    """Add what these visits count for to the kept counts of their reps' days, in one statement, inside the
    transaction that wrote them.

    Additions commute and each is applied under the row's lock, so entries of one rep's day arriving at the same
    moment are all counted; a change to a visit is taken away before it is made and added after.
    """
    _change_rep_days(visit_ids, sign=1)


def take_from_rep_days(visit_ids: Iterable[int]) -> None:
    """Take what these visits count for now out of their reps' days: before a change to them, then add them again."""
    _change_rep_days(visit_ids, sign=-1)


def rebuild_rep_days(*, team_ids: Iterable[int], first: date, last: date) -> None:
    """Count again, in one statement, the days from `first` to `last` of every rep of these teams: for visits written
    in bulk (the demo, generated data) rather than by the acts of the visits app, which keep their days themselves."""
    _execute(*_upsert(Visit.objects.filter(team_id__in=list(team_ids), day__gte=first, day__lte=last), sign=None))
