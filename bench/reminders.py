"""Benchmark: the reminder scan over 100,000 customers and 1,000,000 order lines.

    DATABASE_URL=... python bench/reminders.py [--scales 0.1,1] [--keep]

For each scale s it creates, inside one transaction that is rolled back at the end (the database is left as it
was), 100,000*s customers with 5 orders of 2 lines each (1,000,000*s lines, regular buyers with a per-customer
interval of 20-79 days), shipments for a fifth of the orders, 1% of the orders signed but not filed, one
contact log with a next step per customer, and 100 salespeople in 10 units; then it times reminders_scan()
(all eight kinds) and counts its queries. Run time and queries should grow linearly with s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from customers.models import ContactLog, Customer  # noqa: E402
from reminders.models import Reminder, ReminderSettings  # noqa: E402
from reminders.services import SCANS, reminders_scan, reminders_send_due  # noqa: E402
from sales.models import Contract, ContractLine, ContractStatus, Product, Shipment  # noqa: E402

BATCH = 10_000


class Rollback(Exception):
    pass


def build(scale: float) -> dict[str, int]:
    today = timezone.localdate()
    n_customers = int(100_000 * scale)
    units = SalesUnit.objects.bulk_create([SalesUnit(code=f"bench{u}", name=f"Bench {u}") for u in range(10)])
    people = User.objects.bulk_create(
        [
            User(username=f"bench{k}", role=Role.SALESPERSON, unit=units[k % 10], email=f"bench{k}@example.com")
            for k in range(100)
        ]
    )
    products = Product.objects.bulk_create(
        [Product(code=f"BENCH{k}", name=f"Bench {k}", category=f"cat{k % 5}") for k in range(50)]
    )
    customers = []
    for start in range(0, n_customers, BATCH):
        customers += Customer.objects.bulk_create(
            [
                Customer(name=f"Bench customer {i}", owner=people[i % 100], unit=people[i % 100].unit, status="active")
                for i in range(start, min(n_customers, start + BATCH))
            ]
        )
    contracts: list[Contract] = []
    lines: list[ContractLine] = []
    shipments: list[Shipment] = []
    logs: list[ContactLog] = []
    counts = {"customers": n_customers, "contracts": 0, "lines": 0}

    def flush():
        Contract.objects.bulk_create(contracts)
        for line in lines:
            line.contract_id = line.contract.pk
        for s in shipments:
            s.contract_id = s.contract.pk
        ContractLine.objects.bulk_create(lines)
        Shipment.objects.bulk_create(shipments)
        ContactLog.objects.bulk_create(logs)
        counts["contracts"] += len(contracts)
        counts["lines"] += len(lines)
        contracts.clear()
        lines.clear()
        shipments.clear()
        logs.clear()

    for i, customer in enumerate(customers):
        interval = 20 + i % 60
        offset = i % interval
        for k in range(5):
            signed = today - dt.timedelta(days=offset + (4 - k) * interval)
            status = ContractStatus.SIGNED if (i + k) % 100 == 0 else ContractStatus.FILED
            qty = Decimal(10 + (k * (i % 3)) * 5)  # a third of the customers order growing quantities
            c = Contract(
                number=f"B{i:06d}-{k}",
                customer=customer,
                owner_id=customer.owner_id,
                unit_id=customer.unit_id,
                status=status,
                signed_on=signed,
                filing_due_on=signed + dt.timedelta(days=3),
                amount=2 * qty * 100,
            )
            contracts.append(c)
            for p in (products[i % 50], products[(i + 7) % 50]):
                lines.append(
                    ContractLine(
                        contract=c, product=p, quantity=qty, unit_price=Decimal("100"), standard_price=Decimal("100")
                    )
                )
            if (i + k) % 5 == 0:
                shipments.append(Shipment(contract=c, shipped_on=signed + dt.timedelta(days=3)))
        logs.append(
            ContactLog(
                customer=customer,
                author_id=customer.owner_id,
                happened_at=timezone.now() - dt.timedelta(days=i % 30),
                next_step="call back",
                next_step_date=today + dt.timedelta(days=i % 61 - 30),
            )
        )
        if len(lines) >= BATCH:
            flush()
    flush()
    return counts


def run(scale: float, keep: bool) -> dict:
    result: dict = {"scale": scale}
    try:
        with transaction.atomic():
            ReminderSettings.load()
            t0 = time.perf_counter()
            result.update(build(scale))
            result["build_s"] = round(time.perf_counter() - t0, 1)
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
            before = Reminder.objects.count()
            per_kind = {}
            reset_queries()  # the query log keeps at most 9,000 entries: start the count from empty
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                for kind in SCANS:
                    k0 = time.perf_counter()
                    reminders_scan(kinds=[kind])
                    per_kind[str(kind)] = round(time.perf_counter() - k0, 2)
                k0 = time.perf_counter()
                reminders_scan(kinds=[])  # wake snoozed + close resolved reminders
                per_kind["wake+resolve"] = round(time.perf_counter() - k0, 2)
                result["scan_s"] = round(time.perf_counter() - t0, 2)
            result["scan_queries"] = len(ctx.captured_queries)
            result["per_kind_s"] = per_kind
            result["reminders_created"] = Reminder.objects.count() - before
            t0 = time.perf_counter()
            reminders_scan()
            result["rescan_s"] = round(time.perf_counter() - t0, 2)
            result["after_rescan"] = Reminder.objects.count() - before
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                t0 = time.perf_counter()
                sent = reminders_send_due(limit=2000)
                result["send_per_s"] = round(sum(sent.values()) / (time.perf_counter() - t0))
            if not keep:
                raise Rollback
    except Rollback:
        pass
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.1,1", help="comma-separated multiples of 100k customers / 1M lines")
    parser.add_argument("--keep", action="store_true", help="commit the generated data instead of rolling back")
    args = parser.parse_args()
    connection.force_debug_cursor = False
    for scale in (float(s) for s in args.scales.split(",")):
        r = run(scale, args.keep)
        print(
            f"scale {r['scale']}: {r['customers']:,} customers, {r['lines']:,} order lines "
            f"(built in {r['build_s']} s) -> scan {r['scan_s']} s, {r['scan_queries']} queries, "
            f"{r['reminders_created']:,} reminders; re-scan {r['rescan_s']} s "
            f"adds {r['after_rescan'] - r['reminders_created']}"
        )
        print(f"    seconds per kind: {r['per_kind_s']}; sender: {r['send_per_s']} reminders/s (in-app + e-mail)")


if __name__ == "__main__":
    main()
