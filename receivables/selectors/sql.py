"""The SQL form of receivables.rules, for summaries over many contracts (pages, dashboards, the workbench).

One statement computes every contract's stream parts (shipments, invoices, what is not yet shipped) with the
unpaid part of each, by the same allocation as `rules.allocate`: payments naming an invoice pay its stretch first,
the rest (the pool) pays the oldest free part first. tests/test_sql_equals_rules.py proves both forms equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from sales.models import SOLD_STATUSES, Contract, Invoice, Payment, PaymentKind, SalesReturn, Shipment

from .. import rules
from ..models import WriteOff

# The stream parts of the contracts in `contract_ids` (an SQL subquery) on %(as_of)s, with their unpaid part.
# `c` is NOT MATERIALIZED: inlined, the planner knows it holds one row per contract (a materialized CTE has no
# statistics, so every GROUP BY over it is guessed at 200 rows, and `pool` — one row per contract — was joined to
# the shipments with a nested loop: quadratic, hours at 2.5 million contracts; 40 s with this).
SEGMENTS_CTE = """
c AS NOT MATERIALIZED (
    SELECT c.id, c.owner_id, c.unit_id, c.customer_id, c.amount, c.retention_amount AS retention,
           c.retention_due_on, GREATEST(c.amount - c.retention_amount, 0) AS target
    FROM {contract} c WHERE c.id IN ({ids_sql})
), credits AS (
    SELECT p.contract_id, p.paid_on, p.amount, p.kind, p.invoice_id
    FROM {payment} p JOIN c ON c.id = p.contract_id
    UNION ALL  -- bad-debt write-offs settle like an unnamed payment from the day they were approved …
    SELECT w.contract_id, w.decided_on, w.amount, 'write_off', NULL
    FROM {write_off} w JOIN c ON c.id = w.contract_id
    WHERE w.status IN ('approved', 'reversed') AND w.decided_on IS NOT NULL
    UNION ALL  -- … until the day a reversal reinstates the debt (rules.write_off_credits)
    SELECT w.contract_id, w.reversed_on, -w.amount, 'write_off', NULL
    FROM {write_off} w JOIN c ON c.id = w.contract_id
    WHERE w.status = 'reversed' AND w.decided_on IS NOT NULL AND w.reversed_on IS NOT NULL
    UNION ALL  -- approved returns (退貨) credit the customer from the day they were approved
    SELECT r.contract_id, r.decided_on, r.amount, 'sales_return', NULL
    FROM {sales_return} r JOIN c ON c.id = r.contract_id WHERE r.status = 'approved'
), s0 AS (
    SELECT s.id, s.contract_id, s.shipped_on, s.amount AS value,
           SUM(s.amount) OVER (PARTITION BY s.contract_id) AS total,
           row_number() OVER (PARTITION BY s.contract_id ORDER BY s.shipped_on, s.id) AS n
    FROM {shipment} s JOIN c ON c.id = s.contract_id WHERE s.shipped_on <= %(as_of)s
), s1 AS (
    SELECT s0.id, s0.contract_id, s0.shipped_on, c.target,
           CASE WHEN c.amount > 0 THEN ROUND(
               (CASE WHEN s0.total <= 0 THEN (CASE WHEN s0.n = 1 THEN c.amount ELSE 0 END) ELSE s0.value END)
               * c.target / c.amount, 2) ELSE 0 END AS part
    FROM s0 JOIN c ON c.id = s0.contract_id
), ship AS (
    SELECT id, contract_id, shipped_on,
           LEAST(SUM(part) OVER w - part, target) AS x, LEAST(SUM(part) OVER w, target) AS y
    FROM s1 WINDOW w AS (PARTITION BY contract_id ORDER BY shipped_on, id)
), i1 AS (
    SELECT i.id, i.contract_id, i.issued_on, c.target,
           CASE WHEN c.amount > 0 THEN ROUND(i.amount * c.target / c.amount, 2) ELSE 0 END AS part
    FROM {invoice} i JOIN c ON c.id = i.contract_id WHERE i.issued_on <= %(as_of)s
), inv AS (
    SELECT id, contract_id, issued_on,
           LEAST(SUM(part) OVER w - part, target) AS x, LEAST(SUM(part) OVER w, target) AS y
    FROM i1 WINDOW w AS (PARTITION BY contract_id ORDER BY issued_on, id)
), named AS (
    SELECT inv.contract_id, inv.x AS a, inv.x + LEAST(inv.y - inv.x, SUM(p.amount)) AS b
    FROM inv JOIN credits p ON p.invoice_id = inv.id AND p.contract_id = inv.contract_id
         AND p.kind <> 'retention' AND p.paid_on <= %(as_of)s
    WHERE inv.y > inv.x
    GROUP BY inv.id, inv.contract_id, inv.x, inv.y
), paid AS (
    SELECT c.id AS contract_id,
           COALESCE(SUM(p.amount) FILTER (WHERE p.kind <> 'retention'), 0) AS nonret,
           COALESCE(SUM(p.amount) FILTER (WHERE p.kind = 'retention'), 0) AS ret
    FROM c LEFT JOIN credits p ON p.contract_id = c.id AND p.paid_on <= %(as_of)s
    GROUP BY c.id
), pool AS (
    SELECT paid.contract_id, paid.nonret - COALESCE(SUM(n.b - n.a), 0) AS pool
    FROM paid LEFT JOIN named n ON n.contract_id = paid.contract_id
    GROUP BY paid.contract_id, paid.nonret
), seg AS (
    SELECT 'shipment' AS kind, id AS ref_id, contract_id, shipped_on AS on_date, x, y FROM ship
    UNION ALL
    SELECT 'invoice', id, contract_id, issued_on, x, y FROM inv
    UNION ALL
    SELECT 'unshipped', NULL, c.id, NULL, COALESCE(m.y, 0), c.target
    FROM c LEFT JOIN (SELECT contract_id, MAX(y) AS y FROM ship GROUP BY contract_id) m ON m.contract_id = c.id
), seg2 AS (
    SELECT seg.kind, seg.ref_id, seg.contract_id, seg.on_date, seg.x, seg.y,
           -- LEAST/GREATEST skip NULLs: count only matched named stretches
           (seg.y - seg.x) - COALESCE(SUM(GREATEST(0, LEAST(n.b, seg.y) - GREATEST(n.a, seg.x)))
                                      FILTER (WHERE n.a IS NOT NULL), 0) AS free,
           seg.x - COALESCE(SUM(GREATEST(0, LEAST(n.b, seg.x) - n.a)) FILTER (WHERE n.a IS NOT NULL), 0)
               AS free_before
    FROM seg LEFT JOIN named n ON n.contract_id = seg.contract_id
    GROUP BY seg.kind, seg.ref_id, seg.contract_id, seg.on_date, seg.x, seg.y
), rows AS (
    SELECT seg2.kind, seg2.ref_id, seg2.contract_id, seg2.on_date, seg2.y - seg2.x AS receivable,
           seg2.free - LEAST(GREATEST(pool.pool - seg2.free_before, 0), seg2.free) AS open,
           CASE WHEN seg2.kind = 'shipment'
                THEN (seg2.on_date + make_interval(months => %(grace)s))::date END AS due_on
    FROM seg2 JOIN pool ON pool.contract_id = seg2.contract_id
), aged AS (
    SELECT rows.*, %(as_of)s::date - rows.due_on AS days_past_due, {bucket_case} AS bucket
    FROM rows WHERE rows.kind = 'shipment'
)
"""


def _bucket_case(policy: rules.Policy, params: dict) -> str:
    keys = rules.bucket_keys(policy)
    parts = ["CASE WHEN %(as_of)s::date - rows.due_on <= 0 THEN %(bk_0)s"]
    params["bk_0"] = keys[0]
    for i, edge in enumerate(policy.bucket_edges, start=1):
        params[f"be_{i}"], params[f"bk_{i}"] = edge, keys[i]
        parts.append(f"WHEN %(as_of)s::date - rows.due_on <= %(be_{i})s THEN %(bk_{i})s")
    params["bk_last"] = keys[-1]
    parts.append("ELSE %(bk_last)s END")
    return " ".join(parts)


def _cte(contracts: QuerySet[Contract], as_of: dt.date, policy: rules.Policy) -> tuple[str, dict]:
    ids_sql, ids_params = contracts.order_by().values("pk").query.sql_with_params()
    params: dict = {"as_of": as_of, "grace": policy.grace_months}
    # The contracts' own subquery uses positional %s: bind them by name so both styles never mix.
    for i, p in enumerate(ids_params):
        params[f"id_{i}"] = p
    ids_sql = ids_sql.replace("%%", "\0") % tuple(f"%(id_{i})s" for i in range(len(ids_params)))
    ids_sql = ids_sql.replace("\0", "%%")
    text = SEGMENTS_CTE.format(
        contract=Contract._meta.db_table,
        shipment=Shipment._meta.db_table,
        invoice=Invoice._meta.db_table,
        payment=Payment._meta.db_table,
        write_off=WriteOff._meta.db_table,
        sales_return=SalesReturn._meta.db_table,
        ids_sql=ids_sql,
        bucket_case=_bucket_case(policy, params),
    )
    return text, params


@dataclass(frozen=True)
class SegmentRow:
    kind: str  # shipment, invoice, unshipped
    ref_id: int | None
    contract_id: int
    on_date: dt.date | None
    receivable: Decimal
    open: Decimal
    due_on: dt.date | None


def segments(*, contracts: QuerySet[Contract], as_of: dt.date, policy: rules.Policy) -> list[SegmentRow]:
    """Every stream part of the contracts with its unpaid part (the SQL twin of rules.position)."""
    cte, params = _cte(contracts, as_of, policy)
    sql = f"WITH {cte} SELECT kind, ref_id, contract_id, on_date, receivable, open, due_on FROM rows"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [SegmentRow(*row) for row in cur.fetchall()]


@dataclass(frozen=True)
class ContractSummary:
    contract_id: int
    owner_id: int
    unit_id: int | None
    customer_id: int
    balance: Decimal
    retention_outstanding: Decimal
    retention_overdue: bool
    unshipped: Decimal
    aging: dict[str, Decimal]
    days_past_due: int
    oldest_due_on: dt.date | None

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.aging.items() if k != rules.CURRENT), Decimal("0"))

    @property
    def worst_bucket(self) -> str:
        return next((k for k in reversed(list(self.aging)) if self.aging[k] > 0), rules.CURRENT)


SUMMARY_SQL = """
WITH {cte}, per AS (
    SELECT contract_id, {bucket_sums},
           COALESCE(MAX(days_past_due) FILTER (WHERE open > 0 AND days_past_due > 0), 0) AS days_past_due,
           MIN(due_on) FILTER (WHERE open > 0) AS oldest_due_on
    FROM aged GROUP BY contract_id
), summary AS (
    SELECT c.id AS contract_id, c.owner_id, c.unit_id, c.customer_id,
           GREATEST(0, c.amount - paid.nonret - paid.ret) AS balance,
           LEAST(GREATEST(0, c.amount - paid.nonret - paid.ret), GREATEST(0, c.retention - paid.ret)) AS retention,
           c.retention_due_on,
           u.open AS unshipped, {bucket_cols},
           COALESCE(per.days_past_due, 0) AS days_past_due, per.oldest_due_on
    FROM c JOIN paid ON paid.contract_id = c.id
    JOIN rows u ON u.contract_id = c.id AND u.kind = 'unshipped'
    LEFT JOIN per ON per.contract_id = c.id
)
"""


def summary_sql(*, contracts: QuerySet[Contract], as_of: dt.date, policy: rules.Policy) -> tuple[str, dict]:
    """`WITH … summary AS (…)`: one row per contract (balance, retention, unshipped, b_0…b_n per bucket,
    days_past_due, oldest_due_on) — for callers that filter, sort and page in SQL."""
    cte, params = _cte(contracts, as_of, policy)
    n = len(rules.bucket_keys(policy))
    sums = ", ".join(f"COALESCE(SUM(open) FILTER (WHERE bucket = %(bk_{_key(i, n)})s), 0) AS b_{i}" for i in range(n))
    cols = ", ".join(f"COALESCE(per.b_{i}, 0) AS b_{i}" for i in range(n))
    return SUMMARY_SQL.format(cte=cte, bucket_sums=sums, bucket_cols=cols), params


def _key(i: int, n: int) -> str:
    return "last" if i == n - 1 else str(i)


def summaries(*, contracts: QuerySet[Contract], as_of: dt.date, policy: rules.Policy) -> list[ContractSummary]:
    sql, params = summary_sql(contracts=contracts, as_of=as_of, policy=policy)
    keys = rules.bucket_keys(policy)
    buckets = ", ".join(f"b_{i}" for i in range(len(keys)))
    query = (
        f"{sql} SELECT contract_id, owner_id, unit_id, customer_id, balance, retention, retention_due_on, "  # noqa: S608
        f"unshipped, {buckets}, days_past_due, oldest_due_on FROM summary ORDER BY contract_id"
    )
    with connection.cursor() as cur:
        cur.execute(query, params)
        return [_summary(row, keys, as_of) for row in cur.fetchall()]


def _summary(row: tuple, keys: tuple[str, ...], as_of: dt.date) -> ContractSummary:
    cid, owner, unit, customer, balance, retention, retention_due_on, unshipped, *rest = row
    amounts, (days, oldest) = rest[: len(keys)], rest[len(keys) :]
    return ContractSummary(
        contract_id=cid,
        owner_id=owner,
        unit_id=unit,
        customer_id=customer,
        balance=balance,
        retention_outstanding=retention,
        retention_overdue=bool(retention > 0 and retention_due_on and retention_due_on < as_of),
        unshipped=unshipped,
        aging=dict(zip(keys, amounts, strict=True)),
        days_past_due=days,
        oldest_due_on=oldest,
    )


def sold_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(status__in=SOLD_STATUSES)


def sold_contracts_maybe_open(as_of: dt.date) -> QuerySet[Contract]:
    """The sold contracts that may have an unpaid shipped or unshipped part on `as_of`: those whose payments
    (retention excepted) up to that day fall short of the amount due. A contract paid in full has nothing open
    whatever its shipments, invoices, write-offs and returns (those only add credit), so summaries over open parts
    read these instead of every contract ever sold: their cost follows what is owed, not the company's history.
    tests/test_sql_equals_rules.py checks every contract left out has no open part."""
    # One pass over the payments, grouped (a correlated sum per contract costs an index probe per sold contract).
    short = f"""
        SELECT c.id FROM {Contract._meta.db_table} c
        LEFT JOIN (
            SELECT contract_id, SUM(amount) AS paid FROM {Payment._meta.db_table}
            WHERE kind <> %s AND paid_on <= %s GROUP BY contract_id
        ) p ON p.contract_id = c.id
        WHERE c.status = ANY(%s) AND COALESCE(p.paid, 0) < GREATEST(c.amount - c.retention_amount, 0)
    """  # noqa: S608 - our own table names
    params = (PaymentKind.RETENTION.value, as_of, list(SOLD_STATUSES))
    return sold_contracts().filter(pk__in=RawSQL(short, params))  # noqa: S611 - constant SQL, bound parameters


def aged_sql(*, contracts: QuerySet[Contract], as_of: dt.date, policy: rules.Policy) -> tuple[str, dict]:
    """`WITH …`: the CTEs `c` (the contracts) and `aged` (each shipment's unpaid part with its due date, days
    past due and bucket) — for callers that group shipments their own way (the dashboard's summary tables)."""
    cte, params = _cte(contracts, as_of, policy)
    return f"WITH {cte}", params
