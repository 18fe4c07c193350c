from django.core.management.base import BaseCommand

from core.models import User
from devtools import demo


class Command(BaseCommand):
    help = "Create the demo organisation (2 teams, managers, reps, QC, 2,000 leads); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has users.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users; demo data not loaded.")
            return
        report = demo.seed_demo()
        self.stdout.write(f"Created {report.users_created} users and {report.leads_created} leads.")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, team in demo.logins():
            self.stdout.write(f"  {username:<10} {role:<8} {team}")
