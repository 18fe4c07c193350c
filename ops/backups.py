"""Backups that restore: the database (pg_dump's custom format) and the uploaded files, with a fingerprint of the
data taken in the very snapshot pg_dump dumps, so a restore can be proved to hold the same rows.

The fingerprint is the row count of every table of the CRM and an order-free checksum of the lead events (the sum of
a hash of each row): it costs one pass over the table and no memory, at any size.
"""

import json
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from leads.models import LeadEvent

OUR_APPS = ("crm", "hooks", "leads", "pools", "deals", "visits", "qc", "api")
DUMP = "database.dump"
FILES = "files.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and model._meta.managed and not model._meta.proxy
    )


def connection_settings(dbname: str | None = None) -> dict:
    """Where to reach PostgreSQL itself (BACKUP_DATABASE_URL, or the app's database): pg_dump needs a session of its
    own, which PgBouncer's transaction pooling does not give."""
    url = os.environ.get("BACKUP_DATABASE_URL")
    if url:
        info = psycopg.conninfo.conninfo_to_dict(url)
    else:
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("Backups are made of a PostgreSQL database; this installation uses SQLite.")
        info = {
            key: value
            for key, value in {
                "host": database.get("HOST"),
                "port": str(database.get("PORT") or ""),
                "user": database.get("USER"),
                "password": database.get("PASSWORD"),
                "dbname": database.get("NAME"),
            }.items()
            if value
        }
    if dbname:
        info["dbname"] = dbname
    return info


def _client_env(info: dict) -> dict:
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    return {**os.environ, **{names[key]: str(value) for key, value in info.items() if key in names}}


def fingerprint(cursor) -> dict:
    """Row counts of the CRM's tables and the lead events' checksum, as the cursor's transaction sees them."""
    counts = {}
    for table in _tables():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    events = LeadEvent._meta.db_table
    cursor.execute(
        f"SELECT coalesce(sum(('x' || substr(md5(e::text), 1, 15))::bit(60)::bigint), 0)::text FROM \"{events}\" e"
    )
    return {"counts": counts, "lead_events_checksum": cursor.fetchone()[0]}


@dataclass
class Backup:
    folder: Path
    manifest: dict = field(default_factory=dict)


def take_backup(*, into: Path | None = None, keep: int | None = None, now: datetime | None = None) -> Backup:
    """Dump the database and the uploaded files into a new folder under `into` (BACKUP_DIR); keep the `keep` newest."""
    root = Path(into or settings.BACKUP_DIR)
    now = now or timezone.now()
    folder = root / f"crm-{now:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    info = connection_settings()
    started = time.monotonic()
    # The fingerprint and the dump read one snapshot: exported by this transaction, imported by pg_dump.
    with psycopg.connect(**info) as connection, connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        data = fingerprint(cursor)
        dump = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={folder / DUMP}"],
            env=_client_env(info),
            capture_output=True,
            text=True,
            check=False,
        )
        cursor.execute("COMMIT")
    if dump.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise BackupError(f"pg_dump failed: {dump.stderr.strip()[:500]}")
    media = Path(settings.MEDIA_ROOT)
    file_count = 0
    with tarfile.open(folder / FILES, "w:gz") as archive:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media)))
                    file_count += 1
    manifest = {
        "created_at": now.isoformat(),
        "database": info.get("dbname"),
        "seconds": round(time.monotonic() - started, 2),
        "dump_bytes": (folder / DUMP).stat().st_size,
        "files": file_count,
        **data,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    if settings.BACKUP_BUCKET:
        ship(folder)
    if keep:
        for old in sorted(root.glob("crm-*"))[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    return Backup(folder=folder, manifest=manifest)


def bucket():
    """The S3-compatible bucket backups are shipped to (django-storages), from the BACKUP_* settings."""
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=settings.BACKUP_BUCKET,
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None,
        region_name=settings.BACKUP_S3_REGION or None,
        location=settings.BACKUP_S3_PREFIX,
        default_acl="private",
        file_overwrite=False,
    )


def ship(folder: Path) -> list[str]:
    """Copy a backup's three files to the bucket, under the backup's own folder name; the manifest last, so a backup
    whose manifest is in the bucket is whole there."""
    storage = bucket()
    shipped = []
    for name in (DUMP, FILES, MANIFEST):
        with (folder / name).open("rb") as file:
            shipped.append(storage.save(f"{folder.name}/{name}", file))
    return shipped


def latest_backup(root: Path | None = None) -> Path:
    found = sorted(path for path in Path(root or settings.BACKUP_DIR).glob("crm-*") if (path / MANIFEST).exists())
    if not found:
        raise BackupError(f"No backup in {root or settings.BACKUP_DIR}.")
    return found[-1]


@dataclass
class Drill:
    backup: Path
    database: str
    seconds: float
    mismatched_tables: dict
    checksum_matches: bool
    files_match: bool

    @property
    def passed(self) -> bool:
        return not self.mismatched_tables and self.checksum_matches and self.files_match


def restore_drill(backup: Path | None = None) -> Drill:
    """Restore a backup into a fresh database, compare it with the backup's fingerprint, and drop it again."""
    backup = Path(backup or latest_backup())
    manifest = json.loads((backup / MANIFEST).read_text())
    info = connection_settings()
    scratch = f"crm_restore_drill_{int(time.time())}"
    started = time.monotonic()
    with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        restored = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={scratch}",
                str(backup / DUMP),
            ],
            env=_client_env({**info, "dbname": scratch}),
            capture_output=True,
            text=True,
            check=False,
        )
        if restored.returncode != 0:
            raise BackupError(f"pg_restore failed: {restored.stderr.strip()[:500]}")
        with psycopg.connect(**{**info, "dbname": scratch}) as connection, connection.cursor() as cursor:
            found = fingerprint(cursor)
    finally:
        with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    with tarfile.open(backup / FILES, "r:gz") as archive:
        files = sum(1 for member in archive.getmembers() if member.isfile())
    expected = manifest["counts"]
    mismatched = {
        table: (expected.get(table), found["counts"].get(table))
        for table in set(expected) | set(found["counts"])
        if expected.get(table) != found["counts"].get(table)
    }
    return Drill(
        backup=backup,
        database=scratch,
        seconds=round(time.monotonic() - started, 2),
        mismatched_tables=mismatched,
        checksum_matches=found["lead_events_checksum"] == manifest["lead_events_checksum"],
        files_match=files == manifest["files"],
    )
