from django.core.management.base import BaseCommand, CommandError

from ops.backups import BackupError, take_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the uploaded files into a new folder of BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="where to write (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="keep only this many newest backups")

    def handle(self, *args, **options):
        try:
            backup = take_backup(into=options["dir"], keep=options["keep"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = backup.manifest
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"backup {backup.folder}: {rows} rows in {len(manifest['counts'])} tables, {manifest['files']} files, "
            f"{manifest['dump_bytes'] / 1e6:.1f} MB, {manifest['seconds']} s"
        )
