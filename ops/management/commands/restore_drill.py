from django.core.management.base import BaseCommand, CommandError

from ops.backups import BackupError, restore_drill


class Command(BaseCommand):
    help = (
        "Restore a backup (the latest by default) into a fresh database, check its row counts, lead-event checksum "
        "and files against the backup's fingerprint, then drop that database. Exit status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", nargs="?", help="a backup folder (default: the newest in BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            drill = restore_drill(options["backup"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restore drill of {drill.backup} into {drill.database}: {drill.seconds} s")
        self.stdout.write(f"  tables: {'all counts match' if not drill.mismatched_tables else drill.mismatched_tables}")
        self.stdout.write(f"  lead events checksum: {'matches' if drill.checksum_matches else 'DIFFERS'}")
        self.stdout.write(f"  uploaded files: {'all there' if drill.files_match else 'MISSING'}")
        if not drill.passed:
            raise CommandError("The restored database differs from the backup.")
        self.stdout.write("restore drill passed")
