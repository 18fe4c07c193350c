"""Leads in and out as files: a manager's CSV import (preview, then commit exactly once) and the CSV export."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

import psycopg
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids
from core.errors import DomainError
from core.exports import Table
from core.models import Role, Team, User
from core.params import whole_number
from leads.duplicates import match_condition
from leads.imports import EXPORT_HEADERS, Row, count_rows, decode, read_rows
from leads.lifecycle import event_for, fields_entering
from leads.models import EventKind, ImportStatus, Lead, LeadEvent, LeadImport, LeadSource, LeadState, PositionSource
from leads.services.intake import lead_keys, record_collision
from leads.values import position_fields
from leads.workbooks import is_workbook, workbook_text

IMPORT_BATCH = 2000
# Files up to this many rows are checked and imported while the manager waits; larger ones by the worker.
INLINE_ROWS = 2000
SHOWN_ROWS = 200


@dataclass
class SortedBatch:
    """One batch of a file's rows sorted into new, duplicate (of the file itself or of any lead) and bad."""

    to_add: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    bad: list[Row] = field(default_factory=list)
    matches: dict[int, Lead] = field(default_factory=dict)  # row number: the existing lead it duplicates


@dataclass
class ImportPlan:
    """What an import does or would do: how many rows of each kind, and the first rows of each to show."""

    counts: dict[str, int] = field(default_factory=lambda: {"to_add": 0, "duplicates": 0, "bad": 0})
    to_add: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    bad: list[Row] = field(default_factory=list)

    def take(self, batch: SortedBatch) -> None:
        for kind in self.counts:
            rows = getattr(batch, kind)
            self.counts[kind] += len(rows)
            shown = getattr(self, kind)
            shown.extend(rows[: SHOWN_ROWS - len(shown)])


class FileKeys:
    """The companies and phones met so far in a file: a later row with one of them duplicates an earlier row."""

    def __init__(self):
        self.companies: dict[str, int] = {}
        self.phones: dict[str, int] = {}

    def earlier(self, row: Row) -> int | None:
        return self.companies.get(row.company_key) or next(
            (self.phones[key] for key in row.phone_keys if key in self.phones), None
        )

    def remember(self, row: Row) -> None:
        self.companies[row.company_key] = row.number
        self.phones.update(dict.fromkeys(row.phone_keys, row.number))


def _require_import_team(actor: User, team: Team) -> None:
    if actor.role not in (Role.MANAGER, Role.ADMIN) or team.pk not in managed_team_ids(actor):
        raise DomainError(_("Only a manager of the team or an admin can import leads."))


def _first_pass(rows: list[Row], seen: FileKeys, batch: SortedBatch) -> list[Row]:
    """Set aside bad rows and repeats of earlier rows of the file; return the rest, now remembered."""
    candidates = []
    for row in rows:
        if row.errors:
            batch.bad.append(row)
            continue
        earlier = seen.earlier(row)
        if earlier:
            row.duplicate_of = _("row %(number)s of this file") % {"number": earlier}
            batch.duplicates.append(row)
            continue
        seen.remember(row)
        candidates.append(row)
    return candidates


def sort_batch(rows: list[Row], seen: FileKeys) -> SortedBatch:
    """Sort a batch of rows, looking its companies and phones up among all leads in one query."""
    batch = SortedBatch()
    candidates = _first_pass(rows, seen, batch)
    company_keys = {row.company_key for row in candidates}
    phone_keys = {key for row in candidates for key in row.phone_keys}
    by_company: dict[str, Lead] = {}
    by_phone: dict[str, Lead] = {}
    if candidates:
        existing = Lead.objects.filter(match_condition(company_keys, phone_keys)).select_related("owner", "team")
        for lead in existing.only(
            "pk", "company_name", "company_key", "phone_key", "second_phone_key", "state", "owner", "team"
        ):
            by_company.setdefault(lead.company_key, lead)
            for key in (lead.phone_key, lead.second_phone_key):
                if key:
                    by_phone.setdefault(key, lead)
    for row in candidates:
        match = by_company.get(row.company_key) or next(
            (by_phone[key] for key in row.phone_keys if key in by_phone), None
        )
        if match is None:
            batch.to_add.append(row)
        else:
            row.duplicate_of = match.company_name
            batch.matches[row.number] = match
            batch.duplicates.append(row)
    return batch


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, IMPORT_BATCH)):
        yield batch


def upload_import(*, actor: User, team: Team, file_name: str, raw: bytes) -> LeadImport:
    """Store an uploaded CSV (or an .xlsx, read into the same CSV text) to be checked; nothing is added until it is
    committed.

    A file that cannot be read at all (not a CSV, an unknown encoding, no header, too many rows) is refused here,
    with a message; a row that cannot be used is a row error of the check, and the other rows still count.
    """
    _require_import_team(actor, team)
    if is_workbook(raw):
        text, encoding = workbook_text(raw), "xlsx"
    else:
        text, encoding = decode(raw)
    row_count = count_rows(text)
    with transaction.atomic():
        lead_import = LeadImport.objects.create(
            team=team,
            uploaded_by=actor,
            file_name=file_name[:255],
            encoding=encoding,
            content="",
            row_count=row_count,
            status=ImportStatus.CHECKING,
        )
        _store_file_text(lead_import, text)
    return lead_import


def _store_file_text(lead_import: LeadImport, text: str) -> None:
    """Write the file's text as a parameter bound by PostgreSQL itself. Django's cursors bind on the client: the text
    would be quoted into the statement, copy after copy of it in the web process at once (a 14.7 MB file took 86 MB
    more at the peak that way, 43 MB bound on the server)."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # Django's own error classes, as from any other statement: a lost database is still a 503, not a 500.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            table = LeadImport._meta.db_table
            cursor.execute(f"UPDATE {table} SET content = %s WHERE id = %s", (text, lead_import.pk))
    else:
        LeadImport.objects.filter(pk=lead_import.pk).update(content=text)
    del lead_import.content  # read from the database when asked for, as on any import loaded later


def _file_text(lead_import: LeadImport) -> str:
    """The file's text for one pass over it; not kept on the import, which the pages and each batch read again."""
    return LeadImport.objects.filter(pk=lead_import.pk).values_list("content", flat=True).get()


def check_import(*, lead_import: LeadImport) -> ImportPlan:
    """Work out what committing the file would do, batch by batch (the page shows how far it got), and keep it for
    the preview page."""
    plan = ImportPlan()
    seen = FileKeys()
    for rows in _batches(read_rows(_file_text(lead_import))):
        plan.take(sort_batch(rows, seen))
        LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.CHECKING).update(rows_done=rows[-1].number - 1)

    def shown(rows, **extra):
        return [
            {
                "number": row.number,
                "company": row.values["company_name"][:200],
                "contact": row.values["contact_name"][:100],
                "phone": row.values["phone"][:50],
                **{name: get(row) for name, get in extra.items()},
            }
            for row in rows[:SHOWN_ROWS]
        ]

    summary = {
        **plan.counts,
        "sample": shown(plan.to_add[:50]),
        "duplicate_rows": shown(plan.duplicates, same_as=lambda row: row.duplicate_of[:200]),
        "bad_rows": shown(plan.bad, errors=lambda row: "; ".join(row.errors)[:500]),
    }
    LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.CHECKED, summary=summary
    )
    lead_import.refresh_from_db()
    return plan


def start_import(*, actor: User, lead_import: LeadImport) -> None:
    """Take the manager's "add these leads": a checked file is imported once, however often the button is pressed."""
    _require_import_team(actor, lead_import.team)
    if not LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, rows_done=0
    ):
        raise DomainError(_("This file has already been imported."))
    lead_import.refresh_from_db()


def fail_import(*, lead_import_id: int, problem: str) -> None:
    """Record why a check or an import did not finish, for the preview page to say."""
    LeadImport.objects.filter(pk=lead_import_id, status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]).update(
        status=ImportStatus.FAILED, problem=problem[:255]
    )


def commit_import(*, actor: User, lead_import: LeadImport) -> ImportPlan:
    """Add the valid, new rows of an uploaded file to its team's public pool, each row exactly once.

    The file goes in batches, each in its own transaction that also records how far the import got, so the page
    shows the progress, and a run cut short (a worker restarted) is finished by the next run of the same import
    from where it stopped. Two runs at once take turns batch by batch and never add a row twice.
    """
    _require_import_team(actor, lead_import.team)
    now = timezone.now()
    started = LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, rows_done=0, committed_at=now
    )
    if not started and not LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.IMPORTING).update(
        committed_at=Coalesce("committed_at", Value(now))
    ):
        raise DomainError(_("This file has already been imported."))
    plan = ImportPlan()
    seen = FileKeys()
    for rows in _batches(read_rows(_file_text(lead_import))):
        with transaction.atomic():
            current = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
            if current.status != ImportStatus.IMPORTING:
                break  # another run finished it
            done = [row for row in rows if row.number - 1 <= current.rows_done]
            _first_pass(done, seen, SortedBatch())  # added by an earlier run: later rows may still repeat them
            pending = rows[len(done) :]
            if not pending:
                continue
            # Imports into one team take turns, so two files with the same company cannot both add it.
            Team.objects.select_for_update().filter(pk=lead_import.team_id).first()
            batch = sort_batch(pending, seen)
            _add_batch(batch, actor=actor, lead_import=lead_import)
            LeadImport.objects.filter(pk=lead_import.pk).update(
                rows_done=pending[-1].number - 1, added_count=F("added_count") + len(batch.to_add)
            )
        plan.take(batch)
    LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.IMPORTING).update(status=ImportStatus.IMPORTED)
    lead_import.refresh_from_db()
    return plan


def _add_batch(batch: SortedBatch, *, actor: User, lead_import: LeadImport) -> None:
    """Add a batch's new rows to the pool, with their events; note the rows another rep's lead already holds."""
    now = timezone.now()
    for row in batch.duplicates:
        match = batch.matches.get(row.number)
        if match is not None:
            record_collision(
                existing=match,
                actor=actor,
                company_name=row.values["company_name"],
                phone=row.values["phone"],
                source=LeadSource.IMPORT,
            )
    leads = []
    for row in batch.to_add:
        values = dict(row.values)
        priority = values.pop("priority")
        position = position_fields(values, PositionSource.IMPORT)
        leads.append(
            Lead(
                team_id=lead_import.team_id,
                source=LeadSource.IMPORT,
                priority=whole_number(priority, maximum=9) or 0,
                **values,
                **position,
                **lead_keys(row.values),
                **fields_entering(LeadState.PUBLIC, now=now),
            )
        )
    Lead.objects.bulk_create(leads)
    LeadEvent.objects.bulk_create(
        event_for(
            Lead(pk=lead.pk, team_id=lead.team_id, state=""),
            kind=EventKind.IMPORTED,
            actor=actor,
            to_state=LeadState.PUBLIC,
            to_owner_id=None,
            at=now,
            reason=lead_import.file_name,
        )
        for lead in leads
    )


def export_table(leads) -> Table:
    """Leads for Excel (CSV or .xlsx), with the import's column names, so an export can be imported again.

    The rows are read in batches of plain values while the file is written: 100,000 leads start at once.
    """
    names = list(EXPORT_HEADERS)
    states = dict(LeadState.choices)

    def rows():
        values = leads.values_list(*names, "state", "owner__name", "owner__username").iterator(chunk_size=2000)
        for *cells, state, owner_name, owner_username in values:
            yield [*cells, states.get(state, state), owner_name or owner_username or ""]

    header = [*EXPORT_HEADERS.values(), "状态 state", "负责人 owner"]
    return Table(header, rows(), phone_columns=(names.index("phone"), names.index("second_phone")))
