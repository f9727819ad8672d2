"""The collections workbench: open receivables per contract, filtered, sorted and paged in SQL (the summary form
of the receivables rules), with totals over every matching row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from core.money import ZERO
from sales.models import SOLD_STATUSES, Contract

from .. import rules
from .policy import policy_for
from .sql import summary_sql

PAGE_SIZE = 50
MAX_PAGES = 200  # bounded paging: 10,000 rows; narrow the filters for more
SORTS = {
    "amount": "s.balance DESC, s.contract_id",
    "age": "s.days_past_due DESC, s.balance DESC, s.contract_id",
    "overdue": "s.overdue DESC, s.contract_id",
}


@dataclass(frozen=True)
class Filters:
    unit_id: int | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    bucket: str | None = None
    retention_only: bool = False
    sort: str = "amount"
    page: int = 1


@dataclass(frozen=True)
class Row:
    contract: Contract
    balance: Decimal
    retention_outstanding: Decimal
    retention_overdue: bool
    unshipped: Decimal
    aging: dict[str, Decimal]
    overdue: Decimal
    days_past_due: int


@dataclass(frozen=True)
class Workbench:
    as_of: dt.date
    buckets: tuple[str, ...]
    filters: Filters
    rows: list[Row]
    count: int
    totals: dict[str, Decimal] = field(default_factory=dict)  # balance, retention, unshipped, overdue, each bucket
    pages: int = 1


def workbench(*, user, filters: Filters, as_of: dt.date | None = None) -> Workbench:
    """Open receivables of the contracts the user may see: one SQL statement for the page and the totals (window
    aggregates), one query for the page's contracts."""
    as_of = as_of or timezone.localdate()
    policy = policy_for(as_of)
    keys = rules.bucket_keys(policy)
    contracts = Contract.objects.visible_to(user).filter(status__in=SOLD_STATUSES)
    if filters.unit_id:
        contracts = contracts.filter(unit_id=filters.unit_id)
    if filters.owner_id:
        contracts = contracts.filter(owner_id=filters.owner_id)
    if filters.customer_id:
        contracts = contracts.filter(customer_id=filters.customer_id)
    sql, params = summary_sql(contracts=contracts, as_of=as_of, policy=policy)
    where = ["s.balance > 0"]
    if filters.retention_only:
        where.append("s.retention > 0")
    if filters.bucket in keys:
        where.append(f"s.b_{keys.index(filters.bucket)} > 0")
    bucket_cols = [f"s.b_{i}" for i in range(len(keys))]
    overdue = " + ".join(bucket_cols[1:]) or "0"
    page = max(1, min(filters.page, MAX_PAGES))
    params.update({"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    totals_cols = ", ".join(f"SUM({c}) OVER ()" for c in bucket_cols)
    query = f"""
        {sql}, s AS (SELECT summary.*, {overdue.replace("s.", "summary.")} AS overdue FROM summary)
        SELECT s.contract_id, s.balance, s.retention, s.retention_due_on, s.unshipped, {", ".join(bucket_cols)},
               s.overdue, s.days_past_due,
               COUNT(*) OVER (), SUM(s.balance) OVER (), SUM(s.retention) OVER (), SUM(s.unshipped) OVER (),
               SUM(s.overdue) OVER (), {totals_cols}
        FROM s WHERE {" AND ".join(where)}
        ORDER BY {SORTS.get(filters.sort, SORTS["amount"])}
        LIMIT %(limit)s OFFSET %(offset)s
    """  # noqa: S608 - only our own column names and fixed sort clauses are interpolated
    with connection.cursor() as cur:
        cur.execute(query, params)
        raw = cur.fetchall()
    n = len(keys)
    by_id = Contract.objects.select_related("customer", "owner", "unit").in_bulk([r[0] for r in raw])
    rows = []
    for r in raw:
        cid, balance, retention, retention_due_on, unshipped = r[:5]
        aging = dict(zip(keys, r[5 : 5 + n], strict=True))
        rows.append(
            Row(
                contract=by_id[cid],
                balance=balance,
                retention_outstanding=retention,
                retention_overdue=bool(retention > 0 and retention_due_on and retention_due_on < as_of),
                unshipped=unshipped,
                aging=aging,
                overdue=r[5 + n],
                days_past_due=r[6 + n],
            )
        )
    totals: dict[str, Decimal] = {}
    count = 0
    if raw:
        first = raw[0]
        count = first[7 + n]
        totals = dict(zip(("balance", "retention", "unshipped", "overdue"), first[8 + n : 12 + n], strict=True))
        totals.update(dict(zip(keys, first[12 + n :], strict=True)))
    elif page > 1:
        return workbench(user=user, filters=Filters(**{**filters.__dict__, "page": 1}), as_of=as_of)
    else:
        totals = dict.fromkeys(("balance", "retention", "unshipped", "overdue", *keys), ZERO)
    return Workbench(
        as_of=as_of,
        buckets=keys,
        filters=Filters(**{**filters.__dict__, "page": page}),
        rows=rows,
        count=count,
        totals=totals,
        pages=min(MAX_PAGES, max(1, -(-count // PAGE_SIZE))),
    )
