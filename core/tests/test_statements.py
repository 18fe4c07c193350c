"""Compiled statements give what their querysets give, for every call's values, on SQLite and PostgreSQL."""

import sys
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import BigIntegerField, DateField, DateTimeField, Exists, F, OuterRef, Subquery
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.statements import Counting, Slot, Statement
from hooks.models import Subscription
from leads.models import Lead, LeadState
from visits.models import CheckIn

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _lead(team, owner, name):
    return Lead.objects.create(team=team, owner=owner, state=LeadState.ASSIGNED, company_name=name, company_key=name)


def _check_in(rep, lead, day, hour, latitude="30.274085"):
    return CheckIn.objects.create(
        rep=rep,
        team=lead.team,
        lead=lead,
        day=day,
        checked_in_at=datetime(day.year, day.month, day.day, hour, 5, tzinfo=SHANGHAI),
        latitude=Decimal(latitude),
        longitude=Decimal("120.155070"),
        accuracy_meters=12,
    )


CHECK_INS_OF_DAY = Statement(
    lambda: CheckIn.objects.filter(rep_id=Slot("rep", BigIntegerField()), day=Slot("day", DateField())).order_by(
        "checked_in_at"
    )
)


@pytest.fixture
def check_ins(team, owner, teammate):
    first, second = _lead(team, owner, "杭州华鑫商贸有限公司"), _lead(team, teammate, "宁波远航物流有限公司")
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    return {
        "monday": [_check_in(owner, first, monday, 9), _check_in(owner, first, monday, 15, "30.000001")],
        "tuesday": [_check_in(owner, first, tuesday, 10)],
        "teammate": [_check_in(teammate, second, monday, 11)],
    }


def test_each_call_reads_the_rows_of_its_own_values(check_ins, owner, teammate):
    def read(rep, day):
        return [check_in.pk for check_in in CHECK_INS_OF_DAY.objects(rep=rep.pk, day=day)]

    assert read(owner, date(2026, 11, 23)) == [check_in.pk for check_in in check_ins["monday"]]
    assert read(owner, date(2026, 11, 24)) == [check_in.pk for check_in in check_ins["tuesday"]]
    assert read(teammate, date(2026, 11, 23)) == [check_in.pk for check_in in check_ins["teammate"]]
    assert read(teammate, date(2026, 11, 24)) == []


def test_first_gives_the_first_object_or_none(check_ins, owner, teammate):
    assert CHECK_INS_OF_DAY.first(rep=owner.pk, day=date(2026, 11, 23)).pk == check_ins["monday"][0].pk
    assert CHECK_INS_OF_DAY.first(rep=teammate.pk, day=date(2026, 11, 24)) is None


def test_objects_come_back_as_the_queryset_gives_them(check_ins, owner):
    compiled = CHECK_INS_OF_DAY.objects(rep=owner.pk, day=date(2026, 11, 23))
    expected = list(CheckIn.objects.filter(rep=owner, day=date(2026, 11, 23)).order_by("checked_in_at"))
    fields = [field.attname for field in CheckIn._meta.concrete_fields]
    assert [[getattr(check_in, name) for name in fields] for check_in in compiled] == [
        [getattr(check_in, name) for name in fields] for check_in in expected
    ]
    assert compiled[1].latitude == Decimal("30.000001")
    assert compiled[0].checked_in_at == datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI)
    assert compiled[0].day == date(2026, 11, 23)
    assert not compiled[0]._state.adding  # saved objects, as the ORM would give


def test_objects_come_with_the_related_ones_selected(check_ins, owner):
    joined = Statement(
        lambda: CheckIn.objects.select_related("lead__team", "rep").filter(id=Slot("id", BigIntegerField()))
    )
    first = check_ins["monday"][0]
    (found,) = joined.objects(id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        assert (found.lead.company_name, found.lead.team.name, found.rep.username) == (
            "杭州华鑫商贸有限公司",
            first.team.name,
            owner.username,
        )
    assert len(queries) == 0  # read with the check-in, as select_related() reads them
    (other,) = joined.objects(id=check_ins["teammate"][0].pk)
    assert other.lead.company_name == "宁波远航物流有限公司"


def test_objects_carry_their_annotations_read_as_the_orm_reads_them(check_ins, team, owner):
    latest = CheckIn.objects.filter(lead_id=OuterRef("pk")).order_by("-checked_in_at").values("checked_in_at")[:1]
    leads = Statement(
        lambda: (
            Lead.objects.filter(owner_id=Slot("owner", BigIntegerField()))
            .only("company_name")
            .annotate(latest_check_in=Subquery(latest), checked=Exists(CheckIn.objects.filter(lead_id=OuterRef("pk"))))
        )
    )
    (lead,) = leads.objects(owner=owner.pk)
    assert lead.company_name == "杭州华鑫商贸有限公司"
    assert lead.latest_check_in == datetime(2026, 11, 24, 10, 5, tzinfo=SHANGHAI)  # a datetime on SQLite too
    assert lead.checked is True


def test_rows_of_a_json_field_are_decoded(team, owner):
    Subscription.objects.create(team=team, url="https://hooks.example.com/a", events=["visit.logged"], created_by=owner)
    statement = Statement(
        lambda: Subscription.objects.filter(team_id=Slot("team", BigIntegerField())).values_list("url", "events")
    )
    assert statement.rows(team=team.pk) == [("https://hooks.example.com/a", ["visit.logged"])]


def test_an_update_changes_the_rows_it_selects_and_says_how_many(team, owner, teammate):
    mine, theirs = _lead(team, owner, "杭州华鑫商贸有限公司"), _lead(team, teammate, "宁波远航物流有限公司")
    rename = Statement(
        lambda: Lead.objects.filter(owner_id=Slot("owner", BigIntegerField())),
        update=lambda: {"updated_at": Slot("at", DateTimeField()), "company_key": F("company_name")},
    )
    at = datetime(2026, 11, 30, 20, 0, tzinfo=SHANGHAI)
    assert rename.update(owner=owner.pk, at=at) == 1
    assert rename.update(owner=teammate.pk, at=at + timedelta(hours=1)) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.updated_at, theirs.updated_at) == (at, at + timedelta(hours=1))


def test_a_value_missing_or_unknown_is_refused(check_ins, owner):
    with pytest.raises(TypeError, match=r"takes \['day', 'rep'\], not \['rep'\]"):
        CHECK_INS_OF_DAY.objects(rep=owner.pk)
    with pytest.raises(TypeError, match=r"takes \['day', 'rep'\], not \['day', 'rep', 'team'\]"):
        CHECK_INS_OF_DAY.objects(rep=owner.pk, day=date(2026, 11, 23), team=1)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_where_the_database_locks(check_ins, owner):
    def locking_read():
        return CheckIn.objects.select_for_update().filter(rep_id=Slot("rep", BigIntegerField())).values_list("pk")

    locking = Statement(locking_read)
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError, match="select_for_update cannot be used outside"):
            locking.rows(rep=owner.pk)
        with pytest.raises(TransactionManagementError, match="select_for_update cannot be used outside"):
            list(CheckIn.objects.select_for_update().filter(rep=owner))  # the ORM says the same
    else:  # SQLite has no row locks: the read runs, as the ORM's does
        assert len(locking.rows(rep=owner.pk)) == 3
    with transaction.atomic():
        assert len(locking.rows(rep=owner.pk)) == 3


def test_a_moment_fixed_in_a_statement_is_refused(db):
    # Built with timezone.now(), the statement would read every later call with the first call's "now".
    frozen = Statement(lambda: CheckIn.objects.filter(checked_in_at__gte=timezone.now()).values_list("pk"))
    with pytest.raises(ValueError, match="must be built the same every time: give what varies as a Slot"):
        frozen.rows()


def test_a_statement_is_used_as_what_it_is(db):
    values = Statement(lambda: CheckIn.objects.filter(pk=Slot("id", BigIntegerField())).values_list("pk"))
    update = Statement(lambda: CheckIn.objects.filter(pk=Slot("id", BigIntegerField())), update=lambda: {"day": None})
    with pytest.raises(ValueError, match="reads values, not model objects"):
        values.objects(id=1)
    with pytest.raises(ValueError, match="this statement reads"):
        values.update(id=1)
    with pytest.raises(ValueError, match="is an UPDATE"):
        update.rows(id=1)


@pytest.mark.django_db(transaction=True)
def test_threads_running_a_new_statement_at_once_all_read_it_whole(check_ins, owner):
    """A threaded server (runserver, gunicorn's threads) may run a statement's first call in several requests at
    once: each must get the objects the statement reads, never a compilation another thread has half redone."""
    monday = [check_in.pk for check_in in check_ins["monday"]]
    threads_count, trials = 6, 30
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the interpreter from thread to thread as often as it goes
    try:
        for _trial in range(trials):
            statement = Statement(
                lambda: (
                    CheckIn.objects.select_related("lead")
                    .filter(rep_id=Slot("rep", BigIntegerField()), day=Slot("day", DateField()))
                    .order_by("checked_in_at")
                )
            )
            start = threading.Barrier(threads_count)
            read, failed = [], []

            def first_call(statement=statement, start=start, read=read, failed=failed):
                try:
                    start.wait()
                    found = statement.objects(rep=owner.pk, day=date(2026, 11, 23))
                    read.append(([check_in.pk for check_in in found], found[0].lead.company_name))
                except Exception as error:
                    failed.append(repr(error))
                finally:
                    connection.close()

            threads = [threading.Thread(target=first_call) for _ in range(threads_count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert failed == []
            assert read == [(monday, "杭州华鑫商贸有限公司")] * threads_count
    finally:
        sys.setswitchinterval(switch_interval)


def test_a_counting_statement_counts_as_the_querysets_count_does(check_ins, owner, teammate):
    of_rep = Counting(lambda: CheckIn.objects.filter(rep_id=Slot("rep", BigIntegerField())), by="rep_id")

    assert of_rep.count(rep=owner.pk) == CheckIn.objects.filter(rep=owner).count() == 3
    assert of_rep.count(rep=teammate.pk) == 1
    assert of_rep.count(rep=owner.pk + teammate.pk + 1000) == 0  # no row at all is none counted
