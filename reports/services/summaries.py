"""The dashboard's summary tables, rebuilt in one transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils import timezone

from core.periods import add_months, month_start, period_bounds
from customers.models import Customer
from receivables import rules
from receivables import selectors as receivables_selectors
from sales.models import SOLD_STATUSES

from ..calendar import WorkingCalendar, local_tz, longest_cutoff_days
from ..models import (
    ComplianceMonthly,
    CustomerSalesMonthly,
    DailyReport,
    PerformanceMonthly,
    ReceivableAgeSummary,
    ReceivableSnapshot,
    SalesBreakdownMonthly,
    SummaryState,
    TopCustomerSummary,
)

SUMMARY_LOCK_KEY = 7_246_001  # pg advisory lock id of the dashboard summary refresh


def _tables() -> dict[str, str]:
    from customers.models import ContactLog
    from sales.models import Contract, ContractLine, Payment, Product, SalesReturn, Shipment

    return {
        "perf": PerformanceMonthly._meta.db_table,
        "cust": CustomerSalesMonthly._meta.db_table,
        "recv": ReceivableSnapshot._meta.db_table,
        "top": TopCustomerSummary._meta.db_table,
        "age": ReceivableAgeSummary._meta.db_table,
        "comp": ComplianceMonthly._meta.db_table,
        "report": DailyReport._meta.db_table,
        "contract": Contract._meta.db_table,
        "line": ContractLine._meta.db_table,
        "payment": Payment._meta.db_table,
        "return": SalesReturn._meta.db_table,
        "shipment": Shipment._meta.db_table,
        "log": ContactLog._meta.db_table,
        "customer": Customer._meta.db_table,
        "breakdown": SalesBreakdownMonthly._meta.db_table,
        "product": Product._meta.db_table,
    }


@dataclass(frozen=True)
class MonthSelection:
    """Which months a refresh rebuilds: every month from `since` on, or exactly the months in `months`. Gives the
    SQL conditions on a source's date (or local-time timestamp) column and on a summary table's `month`."""

    since: dt.date | None = None
    months: tuple[dt.date, ...] | None = None

    @classmethod
    def of(cls, *, since: dt.date | None, months: Iterable[dt.date] | None) -> MonthSelection:
        if months is not None:
            return cls(months=tuple(sorted({month_start(m) for m in months})))
        return cls(since=month_start(since or dt.date(1900, 1, 1)))

    def params(self) -> dict:
        tz = local_tz()
        if self.months is None:
            assert self.since is not None
            since_dt = dt.datetime.combine(self.since, dt.time()).replace(tzinfo=tz)
            return {"since": self.since, "since_dt": since_dt, "tz": str(tz)}
        lo = self.months[0] if self.months else dt.date(1900, 1, 1)
        hi = add_months(self.months[-1], 1) if self.months else lo
        return {
            "months": list(self.months),
            "m_lo": lo,
            "m_hi": hi,
            "m_lo_dt": dt.datetime.combine(lo, dt.time()).replace(tzinfo=tz),
            "m_hi_dt": dt.datetime.combine(hi, dt.time()).replace(tzinfo=tz),
            "tz": str(tz),
        }

    def date(self, col: str) -> str:
        """`col` (a date) falls in a selected month."""
        if self.months is None:
            return f"{col} >= %(since)s"
        return f"({col} >= %(m_lo)s AND {col} < %(m_hi)s AND date_trunc('month', {col})::date = ANY(%(months)s))"

    def moment(self, col: str) -> str:
        """`col` (a timestamp) falls in a selected month of the company's time zone."""
        if self.months is None:
            return f"{col} >= %(since_dt)s"
        return (
            f"({col} >= %(m_lo_dt)s AND {col} < %(m_hi_dt)s"
            f" AND date_trunc('month', {col} AT TIME ZONE %(tz)s)::date = ANY(%(months)s))"
        )

    def month(self, col: str = "month") -> str:
        """A summary row's month is a selected one."""
        return f"{col} >= %(since)s" if self.months is None else f"{col} = ANY(%(months)s)"


@transaction.atomic
def summary_refresh(
    *, since: dt.date | None = None, today: dt.date | None = None, months: Iterable[dt.date] | None = None
) -> SummaryState:
    """Rebuild the dashboard's summary tables: every month from `since` (all history when None) — or exactly the
    given `months` (the incremental refresh) — and the open receivables. Runs in one transaction, so readers see
    either the old or the new figures, never half."""
    started = time.monotonic()
    t = _tables()
    sel = MonthSelection.of(since=since, months=months)
    with connection.cursor() as cur:
        # One refresh at a time (the 10-minute and the nightly task may overlap): a second one waits here, then
        # starts from a fresh snapshot, so rows are never deleted by one and inserted twice.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])
        # The planner overestimates these set-based statements (window functions over grouped CTEs) enough to JIT
        # compile them, which costs more than it saves at any size measured (bench/summary.py).
        cur.execute("SET LOCAL jit = off")
        _refresh_monthly(cur, t, sel)
        _refresh_breakdowns(cur, t, sel)
        today = today or timezone.localdate()
        _refresh_receivables(cur, t, today=today)
        _refresh_top_customers(cur, t, today=today, sel=sel)
        stable_before = _refresh_compliance(cur, t, today=today)
    state, _created = SummaryState.objects.update_or_create(
        name="dashboard",
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "stable_before": stable_before,
        },
    )
    return state


CHANGE_MARGIN = dt.timedelta(minutes=5)  # changes committed while the last refresh ran count as after it


def months_touched(*, since: dt.datetime | None = None) -> set[dt.date] | None:
    """The months whose figures a change made at or after `since` (default: the last refresh, less a margin for
    commits in flight) may move; None when a full rebuild is needed (no refresh yet, or a customer was deleted,
    taking rows whose months are no longer known).

    - a contract created or edited: its signing month, and the months of its payments and approved returns;
    - a payment, a return, a contact log created or edited: its own month;
    - a customer, compared with its history as it stood at `since`: its registration month (old and new) when
      its owner, unit or registration changed; the months of its contact logs when its unit changed (visits count
      for the customer's unit); the months of its sales and returns when its region or tier changed (breakdowns);
      a customer without history from before `since` counts as changed in every way;
    - a product, settlement or sales method renamed: the months of the sales and returns that name it.
    Rows are never deleted from these tables except customers (cancelled contracts, rejected returns stay)."""
    if since is None:
        last = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
        if last is None:
            return None
        since = last - CHANGE_MARGIN
    t = _tables()
    history = Customer.history.model._meta.db_table
    params = {"since": since, "tz": str(local_tz())}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {history} WHERE history_type = '-' AND history_date >= %(since)s)",  # noqa: S608
            params,
        )
        if cur.fetchone()[0]:
            return None
        # Renamed labels (rare): the product and method ids, so the order lines are read by index only for them.
        cur.execute(f"SELECT id FROM {t['product']} WHERE updated_at >= %(since)s", params)  # noqa: S608
        renamed = []
        if products := [row[0] for row in cur.fetchall()]:
            renamed.append("l.product_id = ANY(%(products)s)")
        for n, (col, table) in enumerate(_method_lists()):
            cur.execute(f"SELECT id FROM {table} WHERE updated_at >= %(since)s", params)  # noqa: S608
            if ids := [row[0] for row in cur.fetchall()]:
                params[f"methods_{n}"] = ids
                renamed.append(f"c.{col} = ANY(%(methods_{n})s)")
        params["products"] = products
        relabelled = ""
        if renamed:
            relabelled = f"""
                UNION ALL
                SELECT c.signed_on FROM {t["contract"]} c JOIN {t["line"]} l ON l.contract_id = c.id
                WHERE c.signed_on IS NOT NULL AND ({" OR ".join(renamed)})
                UNION ALL
                SELECT r.decided_on FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
                JOIN {t["line"]} l ON l.id = r.contract_line_id
                WHERE r.decided_on IS NOT NULL AND ({" OR ".join(renamed)})"""  # noqa: S608
        cur.execute(
            f"""
            WITH ch AS (
                SELECT id, signed_on FROM {t["contract"]} WHERE updated_at >= %(since)s
            ), cu AS (
                SELECT id, owner_id, unit_id, region, tier, registered_at
                FROM {t["customer"]} WHERE updated_at >= %(since)s
            ), was AS (
                SELECT DISTINCT ON (h.id) h.id, h.owner_id, h.unit_id, h.region, h.tier, h.registered_at
                FROM {history} h
                WHERE h.id IN (SELECT id FROM cu) AND h.history_date < %(since)s
                ORDER BY h.id, h.history_date DESC, h.history_id DESC
            ), moved AS (
                SELECT cu.id, cu.registered_at, was.registered_at AS registered_before,
                       was.id IS NULL OR (was.owner_id, was.unit_id, was.registered_at)
                           IS DISTINCT FROM (cu.owner_id, cu.unit_id, cu.registered_at) AS owner_moved,
                       was.id IS NULL OR was.unit_id IS DISTINCT FROM cu.unit_id AS unit_moved,
                       was.id IS NULL OR (was.region, was.tier) IS DISTINCT FROM (cu.region, cu.tier) AS kind_moved
                FROM cu LEFT JOIN was ON was.id = cu.id
            ), days AS (
                SELECT signed_on AS day FROM ch WHERE signed_on IS NOT NULL
                UNION ALL
                SELECT p.paid_on FROM {t["payment"]} p WHERE p.updated_at >= %(since)s
                UNION ALL
                SELECT p.paid_on FROM {t["payment"]} p JOIN ch ON ch.id = p.contract_id
                UNION ALL
                SELECT r.decided_on FROM {t["return"]} r WHERE r.updated_at >= %(since)s AND r.decided_on IS NOT NULL
                UNION ALL
                SELECT r.decided_on FROM {t["return"]} r JOIN ch ON ch.id = r.contract_id WHERE r.decided_on IS NOT NULL
                UNION ALL
                SELECT (l.happened_at AT TIME ZONE %(tz)s)::date FROM {t["log"]} l WHERE l.updated_at >= %(since)s
                UNION ALL
                SELECT (registered_at AT TIME ZONE %(tz)s)::date FROM moved WHERE owner_moved
                UNION ALL
                SELECT (registered_before AT TIME ZONE %(tz)s)::date FROM moved
                WHERE owner_moved AND registered_before IS NOT NULL
                UNION ALL
                SELECT (l.happened_at AT TIME ZONE %(tz)s)::date
                FROM {t["log"]} l JOIN moved ON moved.id = l.customer_id WHERE moved.unit_moved
                UNION ALL
                SELECT c.signed_on FROM {t["contract"]} c JOIN moved ON moved.id = c.customer_id
                WHERE moved.kind_moved AND c.signed_on IS NOT NULL
                UNION ALL
                SELECT r.decided_on FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
                JOIN moved ON moved.id = c.customer_id WHERE moved.kind_moved AND r.decided_on IS NOT NULL
                {relabelled}
            )
            SELECT DISTINCT date_trunc('month', day)::date FROM days
            """,  # noqa: S608 - our own table and column names
            params,
        )
        return {row[0] for row in cur.fetchall()}


def _method_lists() -> list[tuple[str, str]]:
    """(column on the contract, table) of the method lists the breakdowns label (settlement, sales method)."""
    from sales.models import Contract

    out = []
    for name in ("settlement_method", "sales_method"):
        try:
            field = Contract._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        related = getattr(field, "related_model", None)
        if related is not None and any(f.name == "updated_at" for f in related._meta.get_fields()):
            out.append((field.column, related._meta.db_table))
    return out


def summary_refresh_incremental(*, today: dt.date | None = None) -> SummaryState:
    """Rebuild only the months touched since the last refresh (months_touched), and always the current month,
    whose figures move with the calendar; the open receivables and compliance as every refresh does. The cost
    follows the day's changes, not the company's history. The first refresh ever rebuilds everything."""
    today = today or timezone.localdate()
    touched = months_touched()
    if touched is None:
        return summary_refresh(today=today)
    return summary_refresh(months=touched | {month_start(today)}, today=today)


# Most of its length is one SQL statement, kept whole so it reads as one query.
def _refresh_monthly(cur, t: dict[str, str], sel: MonthSelection) -> None:
    """Sales per customer and month (CustomerSalesMonthly) and the monthly figures per salesperson and unit
    (PerformanceMonthly: sales, contracts, collections, visits, calls, new customers), in the selected months."""
    params = sel.params() | {"sold": list(SOLD_STATUSES)}
    cur.execute(f"DELETE FROM {t['perf']} WHERE {sel.month()}", params)  # noqa: S608 - table names are ours
    cur.execute(f"DELETE FROM {t['cust']} WHERE {sel.month()}", params)  # noqa: S608
    cur.execute(
        f"""
        WITH sold AS (
            SELECT c.id, c.owner_id, c.unit_id, c.customer_id, c.amount,
                   date_trunc('month', c.signed_on)::date AS month
            FROM {t["contract"]} c
            WHERE c.status = ANY(%(sold)s) AND {sel.date("c.signed_on")}
        ), qty AS (
            SELECT l.contract_id, SUM(l.quantity) AS quantity
            FROM {t["line"]} l JOIN sold ON sold.id = l.contract_id GROUP BY l.contract_id
        ), moves AS (
            SELECT sold.month, sold.owner_id, sold.unit_id, sold.customer_id, sold.amount,
                   COALESCE(qty.quantity, 0) AS quantity
            FROM sold LEFT JOIN qty ON qty.contract_id = sold.id
            UNION ALL  -- approved returns (退貨): a negative sale in the month of their approval
            SELECT date_trunc('month', r.decided_on)::date, c.owner_id, c.unit_id, c.customer_id, -r.amount,
                   -r.quantity
            FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
            WHERE r.status = 'approved' AND {sel.date("r.decided_on")} AND c.status = ANY(%(sold)s)
        ), cust AS (
            INSERT INTO {t["cust"]} (month, owner_id, unit_id, customer_id, amount, quantity)
            SELECT month, owner_id, unit_id, customer_id, SUM(amount), SUM(quantity)
            FROM moves
            GROUP BY 1, 2, 3, 4
            RETURNING month, owner_id, unit_id, amount, quantity
        ), facts AS (
            SELECT month, owner_id, unit_id, amount AS sa, quantity AS sq, 0 AS nc_contracts,
                   0::numeric AS col, 0 AS v, 0 AS ca, 0 AS nc
            FROM cust
            UNION ALL
            SELECT month, owner_id, unit_id, 0, 0, COUNT(*), 0, 0, 0, 0 FROM sold GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', p.paid_on)::date, c.owner_id, c.unit_id, 0, 0, 0, SUM(p.amount), 0, 0, 0
            FROM {t["payment"]} p JOIN {t["contract"]} c ON c.id = p.contract_id
            WHERE {sel.date("p.paid_on")} GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id, cu.unit_id,
                   0, 0, 0, 0, COUNT(*) FILTER (WHERE l.kind = 'visit'), COUNT(*) FILTER (WHERE l.kind = 'call'), 0
            FROM {t["log"]} l JOIN {t["customer"]} cu ON cu.id = l.customer_id
            WHERE {sel.moment("l.happened_at")} GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', cu.registered_at AT TIME ZONE %(tz)s)::date, cu.owner_id, cu.unit_id,
                   0, 0, 0, 0, 0, 0, COUNT(*)
            FROM {t["customer"]} cu
            WHERE cu.owner_id IS NOT NULL AND {sel.moment("cu.registered_at")} GROUP BY 1, 2, 3
        )
        INSERT INTO {t["perf"]} (month, owner_id, unit_id, sales_amount, sales_quantity, contracts, collected,
                                 visits, calls, new_customers)
        SELECT month, owner_id, unit_id, SUM(sa), SUM(sq), SUM(nc_contracts), SUM(col), SUM(v), SUM(ca), SUM(nc)
        FROM facts GROUP BY 1, 2, 3
        """,  # noqa: S608
        params,
    )


def _refresh_breakdowns(cur, t: dict[str, str], sel: MonthSelection) -> None:
    """Sales per month, salesperson, unit and value of each recorded breakdown dimension (reports.breakdowns), in
    the selected months: contract amounts for contract-level dimensions, order-line amounts for products."""
    from ..breakdowns import dimensions

    params = sel.params() | {"sold": list(SOLD_STATUSES)}
    cur.execute(f"DELETE FROM {t['breakdown']} WHERE {sel.month()}", params)  # noqa: S608
    for dim in dimensions():
        if not dim.available:
            continue
        if dim.line_level:
            source = f"FROM {t['contract']} c JOIN {t['customer']} cu ON cu.id = c.customer_id "
            source += f"JOIN {t['line']} l ON l.contract_id = c.id JOIN {t['product']} p ON p.id = l.product_id"
            amount, quantity = "SUM(l.quantity * l.unit_price)", "SUM(l.quantity)"
        else:
            source = f"FROM {t['contract']} c JOIN {t['customer']} cu ON cu.id = c.customer_id"
            amount, quantity = "SUM(c.amount)", "0"
        # Per salesperson (and unit) first, then the unit and company levels summed from those rows.
        cur.execute(
            f"""
            INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
            SELECT date_trunc('month', c.signed_on)::date, c.owner_id, c.unit_id, %(dim)s,
                   LEFT({dim.sql_key}, 64), LEFT(MIN({dim.sql_label}), 200), {amount}, {quantity}
            {source} {dim.joins}
            WHERE c.status = ANY(%(sold)s) AND {sel.date("c.signed_on")}
            GROUP BY 1, 2, 3, 5
            """,
            params | {"dim": dim.key},
        )
        # Approved returns (退貨): negative rows in the month of their approval (readers sum per key).
        if dim.line_level:
            ret_source = f"FROM {t['return']} r JOIN {t['contract']} c ON c.id = r.contract_id "
            ret_source += f"JOIN {t['customer']} cu ON cu.id = c.customer_id "
            ret_source += (
                f"JOIN {t['line']} l ON l.id = r.contract_line_id JOIN {t['product']} p ON p.id = l.product_id"
            )
            ret_quantity = "-SUM(r.quantity)"
        else:
            ret_source = f"FROM {t['return']} r JOIN {t['contract']} c ON c.id = r.contract_id "
            ret_source += f"JOIN {t['customer']} cu ON cu.id = c.customer_id"
            ret_quantity = "0"
        cur.execute(
            f"""
            INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
            SELECT date_trunc('month', r.decided_on)::date, c.owner_id, c.unit_id, %(dim)s,
                   LEFT({dim.sql_key}, 64), LEFT(MIN({dim.sql_label}), 200), -SUM(r.amount), {ret_quantity}
            {ret_source} {dim.joins}
            WHERE r.status = 'approved' AND c.status = ANY(%(sold)s) AND {sel.date("r.decided_on")}
            GROUP BY 1, 2, 3, 5
            """,
            params | {"dim": dim.key},
        )
    for level in ("unit_id", "NULL::bigint"):
        cur.execute(
            f"""
            INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
            SELECT month, NULL::bigint, {level}, dimension, key, MIN(label), SUM(amount), SUM(quantity)
            FROM {t["breakdown"]}
            WHERE {sel.month()} AND owner_id IS NOT NULL
            GROUP BY 1, 3, 4, 5
            """,  # noqa: S608
            params,
        )


def _refresh_receivables(cur, t: dict[str, str], *, today: dt.date) -> None:
    """The open receivables, aged today, by the receivables module's SQL form, computed once for two tables:
    ReceivableSnapshot, per contract with shipped goods unpaid (retention excluded): the due date of its oldest
    unpaid shipment, and what is overdue today (or, when nothing is yet, what is open); ReceivableAgeSummary, per
    salesperson, unit and aging bucket. Only the contracts not yet paid in full are read
    (sold_contracts_maybe_open): the others have nothing open."""
    policy = receivables_selectors.policy_for(today)
    sql, params = receivables_selectors.aged_sql(
        contracts=receivables_selectors.sold_contracts_maybe_open(today), as_of=today, policy=policy
    )
    params |= {"today": today, "current": rules.bucket_keys(policy)[0]}
    cur.execute("DROP TABLE IF EXISTS summary_aged")
    cur.execute(
        f"""
        CREATE TEMP TABLE summary_aged ON COMMIT DROP AS
        {sql}
        SELECT aged.contract_id, c.owner_id, c.unit_id, c.customer_id, aged.due_on, aged.open, aged.bucket
        FROM aged JOIN c ON c.id = aged.contract_id
        """,  # noqa: S608 - the receivables module's SQL
        params,
    )
    cur.execute(f"DELETE FROM {t['recv']}")  # noqa: S608
    cur.execute(
        f"""
        INSERT INTO {t["recv"]} (contract_id, owner_id, unit_id, customer_id, due_on, outstanding)
        SELECT contract_id, owner_id, unit_id, customer_id, oldest_due_on,
               CASE WHEN overdue > 0 THEN overdue ELSE shipped_open END
        FROM (
            SELECT contract_id, MIN(owner_id) AS owner_id, MIN(unit_id) AS unit_id, MIN(customer_id) AS customer_id,
                   MIN(due_on) FILTER (WHERE open > 0) AS oldest_due_on,
                   COALESCE(SUM(open) FILTER (WHERE bucket <> %(current)s), 0) AS overdue,
                   COALESCE(SUM(open), 0) AS shipped_open
            FROM summary_aged GROUP BY contract_id
        ) per
        WHERE shipped_open > 0 AND oldest_due_on IS NOT NULL
        """,  # noqa: S608 - our own table and column names
        params,
    )
    cur.execute(f"DELETE FROM {t['age']}")  # noqa: S608
    cur.execute(
        f"""
        INSERT INTO {t["age"]} (as_of, owner_id, unit_id, bucket, amount, contracts)
        SELECT %(today)s, owner_id, unit_id, bucket, SUM(open), COUNT(DISTINCT contract_id)
        FROM summary_aged WHERE open > 0
        GROUP BY 2, 3, 4
        """,  # noqa: S608
        params,
    )
    cur.execute("DROP TABLE summary_aged")


def _refresh_top_customers(cur, t: dict[str, str], *, today: dt.date, sel: MonthSelection) -> None:
    """Top ten customers of the current month, quarter and year per company, unit and salesperson; when the refresh
    covers earlier years (the nightly full one), also of every past year and quarter since then, and when it
    rebuilds chosen months, of the past years and quarters holding them (a past period is read by the dashboard's
    period picker; a past month is small enough to be read live)."""
    params: dict = {}
    this_year = period_bounds("year", today)[0]
    periods = [
        ("month", *period_bounds("month", today)),
        ("quarter", *period_bounds("quarter", today)),
        ("year", *period_bounds("year", today)),
    ]
    if sel.months is not None:
        past = sorted({("year", *period_bounds("year", m)) for m in sel.months if m < this_year})
        past += sorted({("quarter", *period_bounds("quarter", m)) for m in sel.months if m < this_year})
        periods += past
        cur.execute(f"DELETE FROM {t['top']} WHERE period_start >= %s", [this_year])  # noqa: S608
        for kind, start, _end in past:
            cur.execute(
                f"DELETE FROM {t['top']} WHERE period_type = %s AND period_start = %s",  # noqa: S608
                [kind, start],
            )
    elif sel.since is not None and sel.since < this_year:
        cur.execute(f"SELECT MIN(month) FROM {t['cust']}")  # noqa: S608
        first = max(sel.since, cur.fetchone()[0] or this_year)
        for year in range(first.year, this_year.year):
            periods.append(("year", *period_bounds("year", dt.date(year, 1, 1))))
            periods += [("quarter", *period_bounds("quarter", dt.date(year, m, 1))) for m in (1, 4, 7, 10)]
        cur.execute(f"DELETE FROM {t['top']} WHERE period_start >= %s", [dt.date(first.year, 1, 1)])  # noqa: S608
    else:
        cur.execute(f"DELETE FROM {t['top']} WHERE period_start >= %s", [this_year])  # noqa: S608
    values = ", ".join(f"(%(pt_{n})s, %(ps_{n})s::date, %(pe_{n})s::date)" for n in range(len(periods)))
    for n, (kind, start, end) in enumerate(periods):
        params[f"pt_{n}"], params[f"ps_{n}"], params[f"pe_{n}"] = kind, start, end
    for unit_col, owner_col in (("NULL", "NULL"), ("c.unit_id", "NULL"), ("NULL", "c.owner_id")):
        keys = [col for col in (unit_col, owner_col) if col != "NULL"]
        group = ", ".join(["p.period_type", "p.start", *keys, "c.customer_id"])
        partition = ", ".join(["p.period_type", *keys])
        cur.execute(
            f"""
            INSERT INTO {t["top"]} (period_type, period_start, unit_id, owner_id, rank, customer_id, amount,
                                    quantity)
            SELECT period_type, start, unit_id, owner_id, rn, customer_id, amount, quantity FROM (
                SELECT p.period_type, p.start, {unit_col}::bigint AS unit_id, {owner_col}::bigint AS owner_id,
                       c.customer_id, SUM(c.amount) AS amount, SUM(c.quantity) AS quantity,
                       row_number() OVER (PARTITION BY {partition}, p.start
                                          ORDER BY SUM(c.amount) DESC, c.customer_id) AS rn
                FROM {t["cust"]} c
                JOIN (VALUES {values}) AS p(period_type, start, "end") ON c.month BETWEEN p.start AND p."end"
                GROUP BY {group}
            ) ranked WHERE rn <= 10
            """,  # noqa: S608
            params,
        )


def _refresh_compliance(cur, t: dict[str, str], *, today: dt.date) -> dt.date:
    """On-time reports on working days per person and month, for the days that can no longer change; returns the
    first day that may still change."""
    margin = longest_cutoff_days() + 2
    stable_before = today - dt.timedelta(days=margin)
    cur.execute(f"DELETE FROM {t['comp']}")  # noqa: S608
    first = DailyReport.objects.order_by("date").values_list("date", flat=True).first()
    if first is not None and first < stable_before:
        days = WorkingCalendar(first, stable_before - dt.timedelta(days=1)).working_days()
        cur.execute(
            f"""
            INSERT INTO {t["comp"]} (month, author_id, on_time, first_date)
            SELECT date_trunc('month', r.date)::date, r.author_id, COUNT(*), MIN(r.date)
            FROM {t["report"]} r JOIN unnest(%(days)s::date[]) AS w(day) ON w.day = r.date
            WHERE r.date < %(stable)s AND r.submitted_at IS NOT NULL
              AND (r.deadline IS NULL OR r.submitted_at <= r.deadline)
            GROUP BY 1, 2
            """,  # noqa: S608
            {"days": days, "stable": stable_before},
        )
    return stable_before
