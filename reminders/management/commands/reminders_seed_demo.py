"""Demo repeat-purchase history for the reorder prediction (also part of `seed_demo`; idempotent).

The history itself is built by `reminders.seed.run`; see there."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reminders import seed


class Command(BaseCommand):
    help = "Add repeat consumable orders to the demo customers, for the reorder prediction and its back-test."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=60)

    def handle(self, *args, **options):
        result = seed.run(customers=options["customers"])
        if not result.customers and not result.orders:
            self.stderr.write("No consumable products: run seed_demo first.")
            return
        self.stdout.write(f"{result.orders} repeat orders for {result.customers} customers.")
