"""Time the commission statements on a year of activity: python bench/commission_bench.py [contracts_per_person].

Creates its data inside a transaction that is rolled back at the end, so it leaves the database as it was.
Run with DATABASE_URL pointing at a development database (never production).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from commission.models import ContractCost, ExpenseClaim, ExpenseStatus  # noqa: E402
from commission.selectors import build_statements  # noqa: E402
from customers.models import Customer  # noqa: E402
from sales.models import Contract, ContractLine, ContractStatus, Payment, Product, Shipment  # noqa: E402


class Rollback(Exception):
    pass


def main(per_person: int) -> None:
    rng = random.Random(7)
    try:
        with transaction.atomic():
            unit = SalesUnit.objects.create(code="bench", name="bench")
            finance = User.objects.create(username="bench-finance", role=Role.FINANCE)
            product = Product.objects.create(code="BENCH-1", name="bench")
            people = [User.objects.create(username=f"bench{i}", role=Role.SALESPERSON, unit=unit) for i in range(30)]
            contracts, lines, payments, shipments, costs, expenses = [], [], [], [], [], []
            for person in people:
                customer = Customer.objects.create(name=f"bench {person.username}", owner=person, unit=unit)
                for k in range(per_person):
                    signed = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
                    contracts.append(
                        Contract(
                            number=f"B-{person.username}-{k}",
                            customer=customer,
                            owner=person,
                            unit=unit,
                            status=ContractStatus.FILED,
                            signed_on=signed,
                            amount=Decimal("12000.00"),
                            retention_amount=Decimal(rng.choice(["0", "1200.00"])),
                        )
                    )
            Contract.objects.bulk_create(contracts)
            for c in contracts:
                lines.append(
                    ContractLine(contract=c, product=product, quantity=10, unit_price=1200, standard_price=1000)
                )
                shipments.append(Shipment(contract=c, shipped_on=c.signed_on + dt.timedelta(days=5)))
                costs.append(ContractCost(contract=c, cost=Decimal(rng.choice(["8000", "9500"])), recorded_by=finance))
                expenses.append(
                    ExpenseClaim(
                        contract=c,
                        claimant=c.owner,
                        amount=Decimal("800"),
                        description="bench",
                        incurred_on=c.signed_on,
                        status=ExpenseStatus.APPROVED,
                        decided_on=c.signed_on,
                    )
                )
                left = c.amount
                day = c.signed_on
                while left > 0:
                    day += dt.timedelta(days=rng.randint(10, 60))
                    part = min(left, Decimal(rng.choice(["3000", "6000", "10800", "12000"])))
                    payments.append(Payment(contract=c, paid_on=day, amount=part, recorded_by=finance))
                    left -= part
            ContractLine.objects.bulk_create(lines)
            Shipment.objects.bulk_create(shipments)
            ContractCost.objects.bulk_create(costs)
            ExpenseClaim.objects.bulk_create(expenses)
            Payment.objects.bulk_create(payments)
            people_qs = User.objects.filter(unit=unit)
            print(f"{len(contracts)} contracts, {len(payments)} payments, {len(people)} salespeople")
            for month in (dt.date(2025, 6, 1), dt.date(2025, 12, 1)):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    statements = build_statements(people_qs=people_qs, month=month)
                    elapsed = time.perf_counter() - t0
                lines_n = sum(len(b["lines"]) for s in statements for b in s["contracts"])
                print(
                    f"{month:%Y-%m}: {len(statements)} statements, {lines_n} lines, "
                    f"{elapsed * 1000:.0f} ms, {len(ctx.captured_queries)} queries"
                )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
