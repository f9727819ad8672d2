"""Every list page and API list is an index range scan, whatever the size of the table.

On a generated data set (ANALYZEd, large enough for the planner to prefer an index over reading the table) each
list query is EXPLAINed, for the default order and every order a list offers, as the GM office (everything visible:
the worst case) and as a salesperson (own rows). A Seq Scan of a big table or a Sort fed with more than a tenth of
it fails, with the plan in the message. Counting is checked too: no COUNT over a big table without a LIMIT."""

from __future__ import annotations

import datetime
import json
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory, SalesUnitFactory
from customers.models import ContactLog, Customer, CustomerStatus
from sales.models import Contract, ContractStatus, Invoice, Payment, Quote, Shipment

pytestmark = pytest.mark.django_db

ROWS = 12_000
PEOPLE = 120  # each salesperson holds under 1 % of the rows, as in a company of this size
BIG = {
    "customers_customer",
    "customers_contactlog",
    "sales_contract",
    "sales_quote",
    "sales_payment",
    "sales_shipment",
    "sales_invoice",
}


def generate(people):
    rng = random.Random(17)
    now = timezone.now()
    regions = ["北區", "中區", "南區", "東區", ""]
    customers = Customer.objects.bulk_create(
        Customer(
            name=f"客戶{n:06d}",
            owner=(owner := people[n % len(people)]),
            unit_id=owner.unit_id,
            region=regions[n % 5],
            status=list(CustomerStatus.values)[n % 4],
            credit_limit=Decimal(rng.randrange(0, 5_000_000)),
            registered_at=now - datetime.timedelta(minutes=rng.randrange(0, 2_000_000)),
            last_contact_at=None if n % 3 == 0 else now - datetime.timedelta(minutes=rng.randrange(0, 500_000)),
        )
        for n in range(ROWS)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            number=f"K{n:07d}",
            customer=(c := customers[n % ROWS]),
            owner_id=c.owner_id,
            unit_id=c.unit_id,
            amount=Decimal(rng.randrange(1_000, 9_000_000)),
            # Signed contracts are filed once the three departments hold the original (days, by the rule book):
            # only the last weeks' are still "signed" — the filing desk's and the inbox's list.
            status=ContractStatus.SIGNED if (age := rng.randrange(0, 3000)) < 30 else ContractStatus.FILED,
            signed_on=now.date() - datetime.timedelta(days=age),
        )
        for n in range(ROWS)
    )
    Quote.objects.bulk_create(
        Quote(
            number=f"Q{n:07d}",
            customer=(c := customers[n % ROWS]),
            owner_id=c.owner_id,
            unit_id=c.unit_id,
            amount=Decimal(rng.randrange(1_000, 9_000_000)),
        )
        for n in range(ROWS)
    )
    ContactLog.objects.bulk_create(
        ContactLog(
            customer=(c := customers[n % ROWS]),
            author_id=c.owner_id,
            happened_at=now - datetime.timedelta(minutes=rng.randrange(0, 500_000)),
            next_step_date=None if n % 2 else now.date() + datetime.timedelta(days=rng.randrange(0, 90)),
        )
        for n in range(ROWS)
    )
    day = now.date()
    Payment.objects.bulk_create(
        Payment(
            contract=contracts[n],
            paid_on=day - datetime.timedelta(days=rng.randrange(0, 3000)),
            amount=Decimal(rng.randrange(1, 900_000)),
            recorded_by_id=contracts[n].owner_id,
        )
        for n in range(ROWS)
    )
    Shipment.objects.bulk_create(
        Shipment(contract=contracts[n], shipped_on=day - datetime.timedelta(days=rng.randrange(0, 3000)))
        for n in range(ROWS)
    )
    Invoice.objects.bulk_create(
        Invoice(
            contract=contracts[n],
            number=f"INV{n:07d}",
            issued_on=day - datetime.timedelta(days=rng.randrange(0, 3000)),
            amount=Decimal(rng.randrange(1, 900_000)),
            recorded_by_id=contracts[n].owner_id,
        )
        for n in range(ROWS)
    )
    with connection.cursor() as cursor:
        for table in sorted(BIG):
            cursor.execute(f"ANALYZE {table}")
        # The planner costs of a server on SSD storage (docs/performance.md: random_page_cost = 1.1), for this
        # transaction only: with the default 4.0 (spinning disks) a table this small is cheaper to read whole.
        cursor.execute("SET LOCAL random_page_cost = 1.1")


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def problems(sql: str) -> list[str]:
    """What is wrong with one query's plan: a Seq Scan of a big table or a Sort of more than a tenth of one."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    found = []
    for node in nodes(plan):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG:
            found.append(f"Seq Scan on {node['Relation Name']}")
        if node["Node Type"] == "Sort":
            fed = max((child["Plan Rows"] for child in node.get("Plans", [])), default=0)
            if fed > ROWS / 10:
                found.append(f"Sort of {fed} rows by {node.get('Sort Key')}")
    return found


def plan_text(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def list_queries(client, url, params):
    """The queries of one request that read a big table (the list itself, the capped count)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    out = []
    for q in ctx.captured_queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        tables = set(re.findall(r'FROM "(\w+)"', sql))
        if tables & BIG:
            out.append(sql)
    return out


def orders(fields):
    return [""] + [f"{sign}{f}" for f in fields for sign in ("", "-")]


API = [
    (
        "/api/v1/customers/",
        "ordering",
        orders(["name", "registered_at", "credit_limit", "last_contact_at", "region", "status"]),
    ),
    ("/api/v1/contracts/", "ordering", orders(["created_at", "amount", "signed_on", "number"])),
    ("/api/v1/quotes/", "ordering", orders(["created_at", "amount", "number"])),
    ("/api/v1/contact-logs/", "ordering", orders(["happened_at", "next_step_date"])),
    ("/api/v1/payments/", "ordering", orders(["paid_on", "amount"])),
    ("/api/v1/shipments/", "ordering", orders(["shipped_on"])),
    ("/api/v1/invoices/", "ordering", [""]),
]
PAGES = [
    ("/customers/", "sort", orders(["name", "registered", "region", "last_contact", "credit_limit"])),
    ("/sales/contracts/", "sort", [""]),
    ("/sales/quotes/", "sort", [""]),
]


def test_every_list_query_is_an_index_range_scan(client, api_client, gm):
    units = SalesUnitFactory.create_batch(4)
    people = [SalespersonFactory(unit=units[n % 4]) for n in range(PEOPLE)]
    generate(people)
    failures: list[str] = []
    for who in (gm, people[0]):
        api_client.force_authenticate(who)
        client.force_login(who)
        for http, lists in ((api_client, API), (client, PAGES)):
            for url, param, choices in lists:
                for choice in choices:
                    params = {param: choice} if choice else {}
                    for sql in list_queries(http, url, params):
                        if re.search(r"COUNT\(", sql, re.I) and "LIMIT" not in sql.upper():
                            failures.append(f"{who.role} {url} {params}: an exact COUNT over a big table\n  {sql}")
                        for problem in problems(sql):
                            failures.append(f"{who.role} {url} {params}: {problem}\n{plan_text(sql)}")
    assert not failures, "\n".join(failures)
