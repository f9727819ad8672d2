"""Back-test the reorder prediction on the purchase history in the database (e.g. the demo data)."""

from collections import defaultdict

from django.core.management.base import BaseCommand

from reminders.prediction import backtest, generated_histories
from sales.models import SOLD_STATUSES, ContractLine


class Command(BaseCommand):
    help = "Walk-forward back-test of the reorder prediction: predict each purchase from the ones before it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--generated", action="store_true", help="Back-test on a generated, harder history instead of the database."
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        if options["generated"]:
            histories = generated_histories(seed=options["seed"])
            self._report(histories)
            return
        histories = defaultdict(list)
        rows = (
            ContractLine.objects.filter(contract__status__in=SOLD_STATUSES, contract__signed_on__isnull=False)
            .values_list("contract__customer_id", "product_id", "contract__signed_on", "quantity")
            .order_by()
            .iterator(chunk_size=10_000)
        )
        for cid, pid, day, qty in rows:
            histories[(cid, pid)].append((day, qty))
        self._report(histories)

    def _report(self, histories):
        self.stdout.write("with seasonality: " + backtest(histories, seasonal=True).as_text())
        self.stdout.write("without:          " + backtest(histories, seasonal=False).as_text())
