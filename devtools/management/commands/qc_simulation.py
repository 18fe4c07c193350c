from django.core.management.base import BaseCommand

from devtools.qc_simulation import STYLES, simulate


class Command(BaseCommand):
    help = "Draw a generated month with fakers two ways (the QC draw, uniform) at the same budget; nothing is kept."

    def add_arguments(self, parser):
        parser.add_argument("--honest", type=int, default=40)
        parser.add_argument("--fakers-per-style", type=int, default=5)
        parser.add_argument("--days", type=int, default=20)
        parser.add_argument("--seeds", type=int, default=3, help="independent months, added up")

    def handle(self, *args, honest, fakers_per_style, days, seeds, **options):
        totals = {way: {style: [] for style in STYLES} for way in ("draw", "uniform")}
        shares = []
        for seed in range(seeds):
            result = simulate(honest=honest, fakers_per_style=fakers_per_style, days=days, seed=2026 + seed)
            shares.append(result.audited_share)
            for way, styles in result.found_on.items():
                for style, found in styles.items():
                    totals[way][style].extend(found)
        self.stdout.write(f"audited: {100 * sum(shares) / len(shares):.1f}% of visits (both ways, same count a day)")
        self.stdout.write("| style | way | found within 5 working days | mean working days to first exposure |")
        self.stdout.write("|---|---|---|---|")
        for style in STYLES:
            for way in ("draw", "uniform"):
                found = totals[way][style]
                within = sum(1 for day in found if day is not None and day <= 5)
                seen = [day for day in found if day is not None]
                mean = f"{sum(seen) / len(seen):.1f}" if seen else "—"
                missed = len(found) - len(seen)
                tail = f" ({missed} never in {days} days)" if missed else ""
                self.stdout.write(f"| {style} | {way} | {within} / {len(found)} | {mean}{tail} |")
