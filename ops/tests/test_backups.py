"""A backup restores: the drill restores it into a fresh database and finds the same rows and lead events."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leads.tests.factories import LeadFactory, owned_lead
from ops.backups import MANIFEST, restore_drill, take_backup
from pools.services.ownership import claim_lead

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def some_work(team, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "proposals").mkdir(parents=True)
    (tmp_path / "media" / "proposals" / "报价单.pdf").write_bytes(b"%PDF-1.4 a proposal")
    for _ in range(3):
        claim_lead(actor=owner, lead=LeadFactory(team=team))
    owned_lead(team, owner)


def test_a_backup_restores_with_the_same_rows_and_events(some_work, tmp_path, capsys):
    call_command("backup", "--dir", str(tmp_path / "backups"))
    backup = sorted((tmp_path / "backups").glob("crm-*"))[0]
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["counts"]["leads_lead"] == 4
    assert manifest["counts"]["pools_leadevent"] == 3
    assert manifest["files"] == 1

    call_command("restore_drill", str(backup))

    out = capsys.readouterr().out
    assert "all counts match" in out
    assert "lead events checksum: matches" in out
    assert "restore drill passed" in out


def test_the_drill_notices_a_backup_that_does_not_hold_what_it_says(some_work, tmp_path):
    backup = take_backup(into=tmp_path / "backups").folder
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["counts"]["leads_lead"] += 1
    manifest["lead_events_checksum"] = "12345"
    (backup / MANIFEST).write_text(json.dumps(manifest))

    drill = restore_drill(backup)

    assert not drill.passed
    assert drill.mismatched_tables == {"leads_lead": (5, 4)}
    assert not drill.checksum_matches
    with pytest.raises(CommandError, match="The restored database differs from the backup"):
        call_command("restore_drill", str(backup))


def test_only_the_newest_backups_are_kept(some_work, tmp_path):
    from datetime import UTC, datetime

    for hour in range(4):
        take_backup(into=tmp_path / "backups", keep=2, now=datetime(2026, 11, 30, hour, tzinfo=UTC))

    assert [path.name for path in sorted((tmp_path / "backups").glob("crm-*"))] == [
        "crm-20261130-020000",
        "crm-20261130-030000",
    ]


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    """An S3 endpoint on 127.0.0.1 (moto's server) with an empty bucket, and the settings that point at it."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="crm-backups-test")
    settings.BACKUP_BUCKET = "crm-backups-test"
    settings.BACKUP_S3_ENDPOINT_URL = endpoint
    settings.BACKUP_S3_REGION = "us-east-1"
    yield client
    server.stop()


def test_a_backup_is_shipped_to_the_bucket_whole(some_work, tmp_path, s3_bucket):
    backup = take_backup(into=tmp_path / "backups").folder

    listed = s3_bucket.list_objects_v2(Bucket="crm-backups-test")["Contents"]
    keys = {item["Key"]: item["Size"] for item in listed}
    for name in ("database.dump", "files.tar.gz", "manifest.json"):
        assert keys[f"crm-backups/{backup.name}/{name}"] == (backup / name).stat().st_size
    shipped = s3_bucket.get_object(Bucket="crm-backups-test", Key=f"crm-backups/{backup.name}/manifest.json")
    assert json.loads(shipped["Body"].read()) == json.loads((backup / MANIFEST).read_text())
