"""A large file goes in batch by batch: the page shows how far it got, a run cut short is finished by the next run
from where it stopped, and no row is ever added twice, even by two runs at once."""

import threading

import pytest
from django.db import DataError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError
from leads.models import ImportStatus, Lead, LeadEvent, LeadImport
from leads.services import transfer
from leads.services.transfer import check_import, commit_import, start_import, upload_import
from leads.tests.factories import LeadFactory

BATCH = 3


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(transfer, "IMPORT_BATCH", BATCH)


def file_of(rows: list[str]) -> bytes:
    return ("公司名称,手机\r\n" + "".join(f"{row}\r\n" for row in rows)).encode()


TEN_ROWS = [f"杭州分批{number}公司,1390000{number:04d}" for number in range(8)] + [
    "杭州分批1公司,13911112222",  # row 10: repeats row 3 (first batch) by company
    ",13900000000",  # row 11: no company
]


@pytest.fixture
def checked(manager, team, small_batches):
    lead_import = upload_import(actor=manager, team=team, file_name="分批.csv", raw=file_of(TEN_ROWS))
    check_import(lead_import=lead_import)
    return lead_import


def test_the_check_goes_through_every_batch_and_finds_repeats_across_batches(checked):
    checked.refresh_from_db()

    assert checked.summary["to_add"] == 8
    assert checked.summary["duplicates"] == 1
    assert checked.summary["bad"] == 1
    assert checked.summary["duplicate_rows"][0]["same_as"] == "本文件第 3 行"
    assert (checked.rows_done, checked.row_count) == (10, 10)


def test_an_import_cut_short_is_finished_by_the_next_run_without_adding_a_row_twice(checked, manager, monkeypatch):
    start_import(actor=manager, lead_import=checked)
    add_batch = transfer._add_batch
    calls = []

    def worker_lost_on_the_second_batch(batch, **kwargs):
        calls.append(batch)
        if len(calls) == 2:
            raise ConnectionError("worker lost")
        add_batch(batch, **kwargs)

    monkeypatch.setattr(transfer, "_add_batch", worker_lost_on_the_second_batch)
    with pytest.raises(ConnectionError, match="worker lost"):
        commit_import(actor=manager, lead_import=checked)

    checked.refresh_from_db()
    assert (checked.status, checked.rows_done, checked.added_count) == (ImportStatus.IMPORTING, 3, 3)
    assert checked.percent_done == 30
    assert Lead.objects.count() == 3

    monkeypatch.setattr(transfer, "_add_batch", add_batch)
    commit_import(actor=manager, lead_import=checked)  # the task delivered again

    checked.refresh_from_db()
    assert (checked.status, checked.rows_done, checked.added_count) == (ImportStatus.IMPORTED, 10, 8)
    assert sorted(Lead.objects.values_list("company_name", flat=True)) == sorted(
        f"杭州分批{number}公司" for number in range(8)
    )
    assert LeadEvent.objects.count() == 8
    with pytest.raises(DomainError, match="该文件已经导入过了"):
        commit_import(actor=manager, lead_import=checked)


def test_a_row_matching_a_lead_added_meanwhile_is_a_duplicate_not_a_second_lead(checked, manager, team):
    LeadFactory(team=team, company_name="杭州分批7公司", phone="", phone_key="")  # someone added it after the check

    commit_import(actor=manager, lead_import=checked)

    assert Lead.objects.filter(company_name="杭州分批7公司").count() == 1
    checked.refresh_from_db()
    assert checked.added_count == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_import_at_once_add_each_row_once(manager, team, small_batches):
    rows = [f"杭州并发{number:02d}公司,1380000{number:04d}" for number in range(40)]
    lead_import = upload_import(actor=manager, team=team, file_name="并发.csv", raw=file_of(rows))
    check_import(lead_import=lead_import)
    start_import(actor=manager, lead_import=lead_import)
    barrier = threading.Barrier(2)
    failures = []

    def run():
        try:
            barrier.wait()
            commit_import(actor=manager, lead_import=LeadImport.objects.get(pk=lead_import.pk))
        except DomainError:
            pass  # the other run finished it first
        except Exception as error:  # pragma: no cover - shown by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert Lead.objects.count() == 40
    assert LeadEvent.objects.count() == 40
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.added_count) == (ImportStatus.IMPORTED, 40)


def test_the_page_shows_the_progress_and_the_progress_answers_only_the_teams_managers(
    checked, manager, other_manager, owner
):
    LeadImport.objects.filter(pk=checked.pk).update(status=ImportStatus.IMPORTING, rows_done=4)
    client = Client()
    client.force_login(manager)

    page = client.get(reverse("leads:import_preview", args=[checked.pk])).content.decode()
    progress = client.get(reverse("leads:import_progress", args=[checked.pk])).json()

    assert 'aria-valuenow="40"' in page
    assert "4 / 10" in page or "10 行中的 4 行" in page
    assert progress == {"working": True, "percent": 40, "label": "正在导入… 10 行中的 4 行"}
    client.force_login(other_manager)
    assert client.get(reverse("leads:import_progress", args=[checked.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("leads:import_progress", args=[checked.pk])).status_code == 403


def test_the_stored_file_reads_back_as_uploaded_and_the_progress_bar_never_reads_it(checked, manager):
    # The file is written apart from the import's row (bound by PostgreSQL, not quoted into the statement); the
    # import returned by the upload must still give its text, not the blank it was created with.
    uploaded = upload_import(actor=manager, team=checked.team, file_name="再传.csv", raw=file_of(TEN_ROWS))
    assert uploaded.content == file_of(TEN_ROWS).decode()
    assert LeadImport.objects.get(pk=uploaded.pk).content == file_of(TEN_ROWS).decode()

    client = Client()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("leads:import_progress", args=[checked.pk])).status_code == 200
        assert client.get(reverse("leads:import_preview", args=[checked.pk])).status_code == 200
    assert queries.captured_queries
    assert not [query for query in queries.captured_queries if '"content"' in query["sql"]]


def test_each_batch_of_an_import_reads_the_file_not_at_all_and_the_whole_import_once(checked, manager):
    with CaptureQueriesContext(connection) as queries:
        commit_import(actor=manager, lead_import=LeadImport.objects.get(pk=checked.pk))
    reads_of_the_file = [query for query in queries.captured_queries if '"content"' in query["sql"]]

    assert len(reads_of_the_file) == 1  # four batches of three rows
    assert Lead.objects.filter(team=checked.team, company_name__startswith="杭州分批").count() == 8


@pytest.mark.postgres
def test_a_failure_to_store_the_file_is_djangos_database_error_as_from_any_statement(checked):
    # The file is written by psycopg's own cursor; its errors must still be Django's: the error page tells a lost
    # database (a 503) by Django's classes.
    with pytest.raises(DataError, match="NUL"):
        transfer._store_file_text(checked, "公司名称\r\n坏\x00文件\r\n")
