"""Benchmark of the sales reads over a large book: N contracts (default 20,000) with lines, partial shipments and
payments, then the contract list (page and API), the receivables/aging page and selector, and a contract page.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_sales
    python bench/sales_bench.py                 # build inside a transaction, measure, roll everything back
    python bench/sales_bench.py --count 5000

Runs in-process through Django's test client against the real PostgreSQL database (view + ORM + SQL + template
time, no network). Reports median and p95 over repeated requests and the SQL queries per request. All rows are
created inside one transaction that is rolled back at the end: the database is left as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from receivables import selectors as receivables_selectors  # noqa: E402
from sales.models import (  # noqa: E402
    Contract,
    ContractLine,
    ContractStatus,
    Payment,
    PaymentKind,
    PriceList,
    PriceListItem,
    Product,
    Shipment,
)


class Rollback(Exception):
    pass


def build(count: int) -> dict:
    rng = random.Random(7)
    today = timezone.localdate()
    unit = SalesUnit.objects.create(code="bench-sales", name="Bench")
    gm = User.objects.create(username="bench-gm", role=Role.GM_OFFICE)
    manager = User.objects.create(username="bench-mgr", role=Role.MANAGER, unit=unit)
    unit.manager = manager
    unit.save(update_fields=["manager"])
    people = [User.objects.create(username=f"bench-sp{i}", role=Role.SALESPERSON, unit=unit) for i in range(20)]
    customers = Customer.objects.bulk_create(
        Customer(name=f"Bench customer {i}", owner=people[i % 20], unit=unit, credit_limit=Decimal("5000000"))
        for i in range(2000)
    )
    products = Product.objects.bulk_create(Product(code=f"BENCH-{i}", name=f"Bench {i}") for i in range(50))
    pl = PriceList.objects.create(name="bench", effective_from=today - dt.timedelta(days=800))
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=pl, product=p, standard_price=Decimal("1000"), cost=Decimal("700")) for p in products
    )
    contracts = []
    for i in range(count):
        customer = customers[i % len(customers)]
        signed = today - dt.timedelta(days=rng.randint(0, 400))
        contracts.append(
            Contract(
                number=f"BENCH-{i:07d}",
                customer=customer,
                owner_id=customer.owner_id,
                unit=unit,
                status=ContractStatus.FILED if i % 5 else ContractStatus.SIGNED,
                signed_on=signed,
                filing_due_on=signed + dt.timedelta(days=3),
                amount=Decimal("20000.00"),
                cost_total=Decimal("14000.00"),
                retention_amount=Decimal("2000.00") if i % 3 == 0 else Decimal("0"),
                retention_due_on=signed + dt.timedelta(days=365),
            )
        )
    contracts = Contract.objects.bulk_create(contracts, batch_size=2000)
    lines, ships, pays = [], [], []
    for c in contracts:
        for p in rng.sample(products, 2):
            lines.append(
                ContractLine(
                    contract=c,
                    product=p,
                    quantity=Decimal("10"),
                    list_price=Decimal("1000"),
                    unit_price=Decimal("1000"),
                    standard_price=Decimal("1000"),
                    unit_cost=Decimal("700"),
                )
            )
        ships.append(Shipment(contract=c, shipped_on=c.signed_on, amount=Decimal("12000")))
        if rng.random() < 0.7:
            ships.append(
                Shipment(contract=c, shipped_on=min(today, c.signed_on + dt.timedelta(days=20)), amount=Decimal("8000"))
            )
        paid = rng.choice([0, 6000, 18000])
        if paid:
            pays.append(
                Payment(
                    contract=c, paid_on=c.signed_on, amount=Decimal(paid), kind=PaymentKind.PROGRESS, recorded_by=gm
                )
            )
    ContractLine.objects.bulk_create(lines, batch_size=5000)
    Shipment.objects.bulk_create(ships, batch_size=5000)
    Payment.objects.bulk_create(pays, batch_size=5000)
    return {"gm": gm, "manager": manager, "salesperson": people[0], "contract": contracts[0]}


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(ctx)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    try:
        with transaction.atomic():
            start = time.perf_counter()
            who = build(args.count)
            print(f"built {args.count} contracts in {time.perf_counter() - start:.1f}s")
            with connection.cursor() as cur:
                cur.execute("ANALYZE sales_contract, sales_payment, sales_shipment, sales_contractline")
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                bench = receivables_selectors.workbench(user=who["gm"], filters=receivables_selectors.Filters())
                runs.append((time.perf_counter() - start) * 1000)
            print(
                f"receivables workbench(gm): {bench.count} open contracts, "
                f"best of 3 {min(runs):.0f} ms, balance {bench.totals['balance']:,.2f}"
            )
            for role in ("gm", "manager", "salesperson"):
                client = Client()
                client.force_login(who[role])
                for url in (
                    "/sales/contracts/",
                    "/api/v1/contracts/?page_size=50",
                    "/receivables/",
                    f"/sales/contracts/{who['contract'].pk}/",
                ):
                    if role == "salesperson" and url.endswith(f"{who['contract'].pk}/"):
                        continue
                    median, p95, queries = measure(client, url, args.repeat)
                    print(f"{role:<12} {url:<40} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries:3d} queries")
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
