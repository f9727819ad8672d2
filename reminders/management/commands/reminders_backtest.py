"""Back-test the reorder prediction on the purchase history in the database (e.g. the demo data)."""

from collections import defaultdict

from django.core.management.base import BaseCommand

from reminders.prediction import backtest
from sales.models import SOLD_STATUSES, ContractLine


class Command(BaseCommand):
    help = "Walk-forward back-test of the reorder prediction: predict each purchase from the ones before it."

    def handle(self, *args, **options):
        histories = defaultdict(list)
        rows = (
            ContractLine.objects.filter(contract__status__in=SOLD_STATUSES, contract__signed_on__isnull=False)
            .values_list("contract__customer_id", "product_id", "contract__signed_on", "quantity")
            .order_by()
            .iterator(chunk_size=10_000)
        )
        for cid, pid, day, qty in rows:
            histories[(cid, pid)].append((day, qty))
        self.stdout.write(backtest(histories).as_text())
