import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.benchmarks import BENCHMARKS, family, forget_generated_data
from devtools.generate import reset_peak_memory


class Command(BaseCommand):
    help = (
        "Run benchmarks on generated data in a throwaway database (bench_<name>), printing one JSON object per line. "
        "Meant for PostgreSQL; SQLite works for a quick look."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", choices=sorted(BENCHMARKS), action="append", help="Run this benchmark (repeat for several)."
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every data size by this, e.g. 0.01 for a quick run."
        )
        parser.add_argument(
            "--keep-database", action="store_true", help="Leave the database of the last family run behind."
        )

    def handle(self, *args, only=None, scale=1.0, keep_database=False, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        names = only or sorted(BENCHMARKS)
        # The benchmarks write millions of rows; they never touch the real database.
        real_name = connection.settings_dict["NAME"]
        if connection.vendor != "sqlite":
            # A name of its own, so a benchmark never collides with a test run's test database.
            connection.settings_dict["TEST"]["NAME"] = f"bench_{real_name}"
        if not settings.DEBUG:
            # Pages render with production settings: their static files come from the collected manifest.
            call_command("collectstatic", "--no-input", verbosity=0)
        families: dict[str, list[str]] = {}
        for name in names:
            families.setdefault(family(name), []).append(name)
        for number, members in enumerate(families.values(), start=1):
            last = number == len(families)
            forget_generated_data()
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
            try:
                for name in members:
                    reset_peak_memory()
                    figures = BENCHMARKS[name](scale)
                    line = {"name": name, "scale": scale, "database": connection.vendor, **figures}
                    self.stdout.write(json.dumps(line, ensure_ascii=False))
            finally:
                if not (keep_database and last):
                    connection.creation.destroy_test_db(real_name, verbosity=0)
