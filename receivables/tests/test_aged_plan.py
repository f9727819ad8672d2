"""The receivables ageing statement (aged_sql: the summary refresh, the dashboard's live fallback) is planned with
the right number of contracts: no nested loop that rescans a materialized set for each row of a big outer side.

With `c` materialized the planner guessed every GROUP BY over it at 200 rows and joined `pool` (one row per
contract) to the shipments with a nested loop over a Materialize: quadratic — over 40 minutes at 2.5 million
contracts (bench/growth.py). Checked on an ANALYZEd set of a few thousand contracts: the per-contract GROUP BY
is estimated at about the number of contracts (the old form: 200), and no loop rescans a set per outer row."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from customers.models import Customer
from receivables import selectors
from sales.models import SOLD_STATUSES, Contract, ContractStatus, Payment, Shipment

pytestmark = pytest.mark.django_db

CONTRACTS = 3_000


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def rescanning_loops(plan) -> list[str]:
    """Nested loops whose inner side is not an index lookup, fed with more than a tenth of the contracts."""
    found = []
    for node in nodes(plan):
        if node["Node Type"] != "Nested Loop" or len(node.get("Plans", [])) != 2:
            continue
        outer, inner = node["Plans"]
        inner_types = {n["Node Type"] for n in nodes(inner)}
        indexed = inner_types & {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}
        if not indexed and outer["Plan Rows"] > CONTRACTS / 10:
            found.append(f"Nested Loop: {outer['Plan Rows']} rows × {inner['Node Type']} ({sorted(inner_types)})")
    return found


def per_contract_guesses(plan) -> list[str]:
    """Aggregates grouped by the contract alone (one row per contract) estimated at under half the contracts: the
    planner's default guess for a GROUP BY over a materialized CTE (200), the cause of the quadratic join."""
    found = []
    for node in nodes(plan):
        keys = node.get("Group Key") or []
        if node["Node Type"] == "Aggregate" and len(keys) == 1 and keys[0].endswith(("c.id", "contract_id")):
            if node["Plan Rows"] < CONTRACTS / 2:
                found.append(f"GROUP BY {keys[0]} estimated at {node['Plan Rows']} rows")
    return found


def test_aged_statement_joins_contracts_by_hash_or_merge_not_a_loop_per_row():
    owner = SalespersonFactory()
    today = timezone.localdate()
    customer = Customer.objects.create(name="帳齡客戶", owner=owner, unit_id=owner.unit_id)
    contracts = Contract.objects.bulk_create(
        Contract(
            number=f"AG{n:06d}",
            customer=customer,
            owner=owner,
            unit_id=owner.unit_id,
            amount=Decimal(10_000 + n),
            status=ContractStatus.SIGNED,
            signed_on=today - dt.timedelta(days=200 + n % 300),
        )
        for n in range(CONTRACTS)
    )
    Shipment.objects.bulk_create(
        Shipment(contract=c, shipped_on=today - dt.timedelta(days=100 + n % 300)) for n, c in enumerate(contracts)
    )
    Payment.objects.bulk_create(
        Payment(contract=c, paid_on=today - dt.timedelta(days=n % 90), amount=Decimal(5_000), recorded_by=owner)
        for n, c in enumerate(contracts)
        if n % 2
    )
    with connection.cursor() as cursor:
        for model in (Contract, Shipment, Payment):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    sql, params = selectors.aged_sql(
        contracts=Contract.objects.filter(status__in=SOLD_STATUSES), as_of=today, policy=selectors.policy_for(today)
    )
    query = f"{sql} SELECT bucket, SUM(open), COUNT(DISTINCT contract_id) FROM aged WHERE open > 0 GROUP BY bucket"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {query}", params)
        raw = cursor.fetchone()[0]
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
        assert rescanning_loops(plan) == [], json.dumps(plan, indent=1)[:4000]
        assert per_contract_guesses(plan) == [], json.dumps(plan, indent=1)[:4000]
        # And it still answers: every contract half paid or unpaid is open in some bucket.
        cursor.execute(query, params)
        open_contracts = sum(row[2] for row in cursor.fetchall())
    assert open_contracts == CONTRACTS
