"""Create a believable demo company. Safe to run again: it only adds what is missing."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "demo1234"


class Command(BaseCommand):
    help = "Create the demo company (units, people, customers, products, a few months of activity), idempotently."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do nothing if the demo company already exists.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even under production settings (the demo logins all share a published password).",
        )

    def handle(self, *args, **options):
        from accounts.models import User

        allowed = options["allow_production"] or os.environ.get("SEED_DEMO_ALLOW_PRODUCTION", "") in ("1", "true")
        if getattr(settings, "PRODUCTION", False) and not allowed:
            raise CommandError(
                f"Refusing to load the demo company under production settings: it creates an admin and other users "
                f"who all have the password {DEMO_PASSWORD!r}. For a throw-away demo server pass --allow-production "
                f"(or set SEED_DEMO_ALLOW_PRODUCTION=1)."
            )

        if options["once"] and User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data already loaded.")
            return
        import accounts.seed
        import commission.seed
        import customers.seed
        import documents.seed
        import reminders.seed
        import reports.seed
        import sales.seed

        with transaction.atomic():
            people = accounts.seed.run(password=DEMO_PASSWORD)
            customers.seed.run(people=people)
            sales.seed.run(people=people)
            documents.seed.run(people=people)  # filing receipts of the older signed contracts
            reminders.seed.run(people=people)  # repeat orders: before the reports summaries are built
            reports.seed.run(people=people)
            commission.seed.run(people=people)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password {DEMO_PASSWORD}):"))
        for label, username in people.logins():
            self.stdout.write(f"  {label:<28} {username}")
