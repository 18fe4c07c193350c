"""Leads in and out as files: a manager's CSV import (preview, then commit exactly once) and the CSV export."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import managed_team_ids
from core.errors import DomainError
from core.exports import csv_chunks
from core.models import Role, Team, User
from core.params import whole_number
from leads.duplicates import match_condition
from leads.imports import EXPORT_HEADERS, Row, decode, parse
from leads.lifecycle import event_for, fields_entering
from leads.models import EventKind, ImportStatus, Lead, LeadEvent, LeadImport, LeadSource, LeadState
from leads.services.intake import lead_keys, record_collision

IMPORT_BATCH = 2000


@dataclass
class ImportPlan:
    """What committing an import would do: rows to add, rows that duplicate, rows that are wrong."""

    to_add: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    bad: list[Row] = field(default_factory=list)
    matches: dict[int, Lead] = field(default_factory=dict)  # row number: the existing lead it duplicates


def _require_import_team(actor: User, team: Team) -> None:
    if actor.role not in (Role.MANAGER, Role.ADMIN) or team.pk not in managed_team_ids(actor):
        raise DomainError(_("Only a manager of the team or an admin can import leads."))


def plan_import(rows: list[Row]) -> ImportPlan:
    """Sort parsed rows into new, duplicate (of the file itself or of any lead) and bad, with set-based look-ups."""
    plan = ImportPlan()
    seen_companies: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    candidates = []
    for row in rows:
        if row.errors:
            plan.bad.append(row)
            continue
        earlier = seen_companies.get(row.company_key) or next(
            (seen_phones[key] for key in row.phone_keys if key in seen_phones), None
        )
        if earlier:
            row.duplicate_of = _("row %(number)s of this file") % {"number": earlier}
            plan.duplicates.append(row)
            continue
        seen_companies[row.company_key] = row.number
        seen_phones.update(dict.fromkeys(row.phone_keys, row.number))
        candidates.append(row)
    by_company: dict[str, Lead] = {}
    by_phone: dict[str, Lead] = {}
    for start in range(0, len(candidates), IMPORT_BATCH):
        batch = candidates[start : start + IMPORT_BATCH]
        company_keys = {row.company_key for row in batch}
        phone_keys = {key for row in batch for key in row.phone_keys}
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
            plan.to_add.append(row)
        else:
            row.duplicate_of = match.company_name
            plan.matches[row.number] = match
            plan.duplicates.append(row)
    return plan


# Files up to this many rows are checked and imported while the manager waits; larger ones by the worker.
INLINE_ROWS = 2000
SHOWN_ROWS = 200


def upload_import(*, actor: User, team: Team, file_name: str, raw: bytes) -> LeadImport:
    """Store an uploaded CSV to be checked; nothing is added until it is committed.

    A file that cannot be read at all (not a CSV, an unknown encoding, no header, too many rows) is refused here,
    with a message; a row that cannot be used is a row error of the check, and the other rows still count.
    """
    _require_import_team(actor, team)
    text, encoding = decode(raw)
    rows = parse(text)
    return LeadImport.objects.create(
        team=team,
        uploaded_by=actor,
        file_name=file_name[:255],
        encoding=encoding,
        content=text,
        row_count=len(rows),
        status=ImportStatus.CHECKING,
    )


def check_import(*, lead_import: LeadImport) -> ImportPlan:
    """Work out what committing the file would do, and keep it for the preview page."""
    plan = plan_import(parse(lead_import.content))

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
        "to_add": len(plan.to_add),
        "duplicates": len(plan.duplicates),
        "bad": len(plan.bad),
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
        status=ImportStatus.IMPORTING
    ):
        raise DomainError(_("This file has already been imported."))
    lead_import.refresh_from_db()


def fail_import(*, lead_import_id: int, problem: str) -> None:
    """Record why a check or an import did not finish, for the preview page to say."""
    LeadImport.objects.filter(pk=lead_import_id, committed_at__isnull=True).update(
        status=ImportStatus.FAILED, problem=problem[:255]
    )


def commit_import(*, actor: User, lead_import: LeadImport) -> ImportPlan:
    """Add the valid, new rows of an uploaded file to its team's public pool, once."""
    _require_import_team(actor, lead_import.team)
    with transaction.atomic():
        # Imports into one team run one at a time, so two of the same file cannot both add a row.
        Team.objects.select_for_update().filter(pk=lead_import.team_id).first()
        now = timezone.now()
        if not LeadImport.objects.filter(pk=lead_import.pk, committed_at__isnull=True).update(committed_at=now):
            raise DomainError(_("This file has already been imported."))
        plan = plan_import(parse(lead_import.content))
        for row in plan.duplicates:
            match = plan.matches.get(row.number)
            if match is not None:
                record_collision(
                    existing=match,
                    actor=actor,
                    company_name=row.values["company_name"],
                    phone=row.values["phone"],
                    source=LeadSource.IMPORT,
                )
        for start in range(0, len(plan.to_add), IMPORT_BATCH):
            batch = plan.to_add[start : start + IMPORT_BATCH]
            leads = []
            for row in batch:
                values = dict(row.values)
                priority = values.pop("priority")
                leads.append(
                    Lead(
                        team_id=lead_import.team_id,
                        source=LeadSource.IMPORT,
                        priority=whole_number(priority, maximum=9) or 0,
                        **values,
                        **lead_keys(row.values),
                        **fields_entering(LeadState.PUBLIC, now=now),
                    )
                )
            Lead.objects.bulk_create(leads)
            LeadEvent.objects.bulk_create(
                event_for(
                    Lead(pk=lead.pk, state=""),
                    kind=EventKind.IMPORTED,
                    actor=actor,
                    to_state=LeadState.PUBLIC,
                    to_owner_id=None,
                    at=now,
                    reason=lead_import.file_name,
                )
                for lead in leads
            )
        LeadImport.objects.filter(pk=lead_import.pk).update(added_count=len(plan.to_add), status=ImportStatus.IMPORTED)
    return plan


def export_csv(leads):
    """Yield leads as CSV for Excel, with the import's column names, so an export can be imported again.

    Streamed in chunks while the rows are read in batches of plain values: 100,000 leads start downloading at once.
    """
    names = list(EXPORT_HEADERS)
    states = dict(LeadState.choices)

    def rows():
        values = leads.values_list(*names, "state", "owner__name", "owner__username").iterator(chunk_size=2000)
        for *cells, state, owner_name, owner_username in values:
            yield [*cells, states.get(state, state), owner_name or owner_username or ""]

    header = [*EXPORT_HEADERS.values(), "状态 state", "负责人 owner"]
    return csv_chunks(header, rows(), phone_columns=[names.index("phone"), names.index("second_phone")])
