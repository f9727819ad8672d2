"""The dashboard's summary tables, rebuilt in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

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

logger = logging.getLogger(__name__)

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


Cell = tuple[dt.date, int]  # (month, salesperson): the grain the monthly summary tables are rebuilt at


@dataclass(frozen=True)
class MonthSelection:
    """What a refresh rebuilds: every month from `since` on, or exactly the (month, salesperson) `cells` (the
    incremental refresh). Gives the SQL conditions on a source's date (or local-time timestamp) column with the
    salesperson it counts for, and on a summary table's `month` and `owner_id`."""

    since: dt.date | None = None
    cells: tuple[Cell, ...] | None = None
    # Rebuilding cells: the contracts signed and the returns decided in them, found once, so every statement reads
    # them (and their order lines) by primary key.
    contract_ids: tuple[int, ...] = ()
    return_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, *, since: dt.date | None, cells: Iterable[Cell] | None) -> MonthSelection:
        if cells is not None:
            return cls(cells=tuple(sorted({(month_start(m), owner) for m, owner in cells})))
        return cls(since=month_start(since or dt.date(1900, 1, 1)))

    @property
    def months(self) -> tuple[dt.date, ...]:
        return tuple(sorted({m for m, _owner in self.cells or ()}))

    @property
    def owners(self) -> tuple[int, ...]:
        return tuple(sorted({owner for _m, owner in self.cells or ()}))

    def params(self) -> dict:
        tz = local_tz()
        if self.cells is None:
            assert self.since is not None
            since_dt = dt.datetime.combine(self.since, dt.time()).replace(tzinfo=tz)
            return {"since": self.since, "since_dt": since_dt, "tz": str(tz)}
        months = self.months
        return {
            "cell_months": [m for m, _owner in self.cells],
            "cell_owners": [owner for _m, owner in self.cells],
            "owners": list(self.owners),
            "months": list(months),
            **{f"m_{n}": m for n, m in enumerate(months)},
            **{f"m_{n}_end": add_months(m, 1) for n, m in enumerate(months)},
            **{f"m_{n}_dt": dt.datetime.combine(m, dt.time()).replace(tzinfo=tz) for n, m in enumerate(months)},
            **{
                f"m_{n}_end_dt": dt.datetime.combine(add_months(m, 1), dt.time()).replace(tzinfo=tz)
                for n, m in enumerate(months)
            },
            "contract_ids": list(self.contract_ids),
            "return_ids": list(self.return_ids),
            "tz": str(tz),
        }

    _CELLS = "(SELECT * FROM unnest(%(cell_months)s::date[], %(cell_owners)s::bigint[]))"

    def date(self, col: str, owner: str) -> str:
        """`col` (a date) falls in a selected month, counted for a selected salesperson `owner`."""
        if self.cells is None:
            return f"{col} >= %(since)s"
        return f"({self._ranges(col, '')} AND (date_trunc('month', {col})::date, {owner}) IN {self._CELLS})"

    def moment(self, col: str, owner: str) -> str:
        """`col` (a timestamp) falls in a selected month of the company's time zone, for a selected `owner`."""
        if self.cells is None:
            return f"{col} >= %(since_dt)s"
        return (
            f"({self._ranges(col, '_dt')}"
            f" AND (date_trunc('month', {col} AT TIME ZONE %(tz)s)::date, {owner}) IN {self._CELLS})"
        )

    def _ranges(self, col: str, suffix: str) -> str:
        """`col` within one of the selected months: one index range per month (a bitmap OR), never the whole span
        from the first selected month to the last."""
        ranges = [f"({col} >= %(m_{n}{suffix})s AND {col} < %(m_{n}_end{suffix})s)" for n in range(len(self.months))]
        return f"({' OR '.join(ranges) or 'FALSE'})"

    def signed(self, alias: str = "c") -> str:
        """The contract `alias` was signed in a selected month (cell)."""
        return f"{alias}.signed_on >= %(since)s" if self.cells is None else f"{alias}.id = ANY(%(contract_ids)s)"

    def decided(self, alias: str = "r") -> str:
        """The return `alias` was decided in a selected month (cell)."""
        return f"{alias}.decided_on >= %(since)s" if self.cells is None else f"{alias}.id = ANY(%(return_ids)s)"

    def with_ids(self, cur, t: dict[str, str]) -> MonthSelection:
        if self.cells is None:
            return self
        params = self.params()
        cur.execute(
            f"SELECT c.id FROM {t['contract']} c WHERE {self.date('c.signed_on', 'c.owner_id')}",  # noqa: S608
            params,
        )
        contract_ids = tuple(row[0] for row in cur.fetchall())
        cur.execute(
            f"SELECT r.id FROM {t['return']} r JOIN {t['contract']} c ON c.id = r.contract_id "  # noqa: S608
            f"WHERE {self.date('r.decided_on', 'c.owner_id')}",
            params,
        )
        return replace(self, contract_ids=contract_ids, return_ids=tuple(row[0] for row in cur.fetchall()))

    def rows(self) -> str:
        """A summary row (`month`, `owner_id`) is a selected cell."""
        if self.cells is None:
            return "month >= %(since)s"
        return f"month = ANY(%(months)s) AND (month, owner_id) IN {self._CELLS}"  # the first: an index condition

    def month_rows(self) -> str:
        """A summary row's month is a selected one (for rows summed over salespeople)."""
        return "month >= %(since)s" if self.cells is None else "month = ANY(%(months)s)"


@transaction.atomic
def summary_refresh(
    *, since: dt.date | None = None, today: dt.date | None = None, cells: Iterable[Cell] | None = None
) -> SummaryState:
    """Rebuild the dashboard's summary tables: every month from `since` (all history when None) — or exactly the
    given (month, salesperson) `cells` (the incremental refresh) — and the open receivables. Runs in one
    transaction, so readers see either the old or the new figures, never half."""
    started = time.monotonic()
    began = timezone.now()
    t = _tables()
    sel = MonthSelection.of(since=since, cells=cells)
    steps: dict[str, float] = {}

    def step(name: str, began: float) -> float:
        now = time.monotonic()
        steps[name] = round(now - began, 2)
        return now

    with connection.cursor() as cur:
        # One refresh at a time (the 10-minute and the nightly task may overlap): a second one waits here, then
        # starts from a fresh snapshot, so rows are never deleted by one and inserted twice.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])
        # The planner overestimates these set-based statements (window functions over grouped CTEs) enough to JIT
        # compile them, which costs more than it saves at any size measured (bench/summary.py).
        cur.execute("SET LOCAL jit = off")
        sel = sel.with_ids(cur, t)
        last = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
        at = time.monotonic()
        units = _refresh_monthly(cur, t, sel)
        at = step("monthly", at)
        _refresh_breakdowns(cur, t, sel)
        at = step("breakdowns", at)
        today = today or timezone.localdate()
        _refresh_receivables(cur, t, today=today)
        at = step("receivables", at)
        last_on = timezone.localtime(last).date() if last else None
        _refresh_top_customers(cur, t, today=today, sel=sel, units=units, last_on=last_on)
        at = step("top_customers", at)
        stable_before = _refresh_compliance(cur, t, today=today)
        step("compliance", at)
    logger.info("summary refresh (%s): %s", f"{len(sel.cells)} cells" if sel.cells is not None else sel.since, steps)
    state, _created = SummaryState.objects.update_or_create(
        name="dashboard",
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "stable_before": stable_before,
        },
    )
    if since is None:  # every change up to `began` is now in the tables: a full or an incremental (cells) refresh
        SummaryState.objects.update_or_create(
            name=CHANGES_MARK, defaults={"refreshed_at": began, "duration_ms": state.duration_ms}
        )
    return state


# When the last refresh that took in every change began (a full or an incremental one). A rebuild of recent months
# (the 10-minute task) does not move it: changes it did not cover (an older month's) still wait for the incremental
# refresh. The start, not the end: a change committed while a refresh ran is taken again by the next one.
CHANGES_MARK = "dashboard_changes"


CHANGE_MARGIN = dt.timedelta(minutes=5)  # changes committed while the last refresh ran count as after it


def months_touched(*, since: dt.datetime | None = None) -> set[dt.date] | None:
    """The months of cells_touched (None: a full rebuild)."""
    cells = cells_touched(since=since)
    return None if cells is None else {m for m, _owner in cells}


def cells_touched(*, since: dt.datetime | None = None) -> set[Cell] | None:
    """The (month, salesperson) cells whose figures a change made at or after `since` (default: the start of the
    last refresh that took in every change, CHANGES_MARK, less a margin for commits in flight) may move; None when
    a full rebuild is needed (no refresh yet, or a customer was deleted, taking rows whose months are no longer
    known). A figure counts for the contract's owner (sales, returns, collections), the contact log's author
    (visits, calls) or the customer's owner (new customers); a contract's owner never changes.

    - a contract created or edited: its signing month, and the months of its payments and approved returns;
    - a payment, a return, a contact log created or edited: its own month;
    - a customer, compared with its history as it stood at `since`: its registration month for its owner (old
      and new) when its owner, unit or registration changed; the months of its contact logs when its unit changed
      (visits count for the customer's unit); the months of its sales and returns when its region or tier changed
      (breakdowns); a customer without history from before `since` counts as changed in every way;
    - a product, settlement or sales method renamed: the months of the sales and returns that name it.
    Rows are never deleted from these tables except customers (cancelled contracts, rejected returns stay)."""
    if since is None:
        last = SummaryState.objects.filter(name=CHANGES_MARK).values_list("refreshed_at", flat=True).first()
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
                SELECT c.signed_on, c.owner_id FROM {t["contract"]} c JOIN {t["line"]} l ON l.contract_id = c.id
                WHERE c.signed_on IS NOT NULL AND ({" OR ".join(renamed)})
                UNION ALL
                SELECT r.decided_on, c.owner_id FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
                JOIN {t["line"]} l ON l.id = r.contract_line_id
                WHERE r.decided_on IS NOT NULL AND ({" OR ".join(renamed)})"""  # noqa: S608
        cur.execute(
            f"""
            WITH ch AS (
                SELECT id, signed_on, owner_id FROM {t["contract"]} WHERE updated_at >= %(since)s
            ), cu AS (
                SELECT id, owner_id, unit_id, region, tier, registered_at
                FROM {t["customer"]} WHERE updated_at >= %(since)s
            ), was AS (
                SELECT DISTINCT ON (h.id) h.id, h.owner_id, h.unit_id, h.region, h.tier, h.registered_at
                FROM {history} h
                WHERE h.id IN (SELECT id FROM cu) AND h.history_date < %(since)s
                ORDER BY h.id, h.history_date DESC, h.history_id DESC
            ), moved AS (
                SELECT cu.id, cu.owner_id, cu.registered_at, was.owner_id AS owner_before,
                       was.registered_at AS registered_before,
                       was.id IS NULL OR (was.owner_id, was.unit_id, was.registered_at)
                           IS DISTINCT FROM (cu.owner_id, cu.unit_id, cu.registered_at) AS owner_moved,
                       was.id IS NULL OR was.unit_id IS DISTINCT FROM cu.unit_id AS unit_moved,
                       was.id IS NULL OR (was.region, was.tier) IS DISTINCT FROM (cu.region, cu.tier) AS kind_moved
                FROM cu LEFT JOIN was ON was.id = cu.id
            ), days AS (
                SELECT signed_on AS day, owner_id FROM ch WHERE signed_on IS NOT NULL
                UNION ALL
                SELECT p.paid_on, c.owner_id FROM {t["payment"]} p JOIN {t["contract"]} c ON c.id = p.contract_id
                WHERE p.updated_at >= %(since)s
                UNION ALL
                SELECT p.paid_on, ch.owner_id FROM {t["payment"]} p JOIN ch ON ch.id = p.contract_id
                UNION ALL
                SELECT r.decided_on, c.owner_id FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
                WHERE r.updated_at >= %(since)s AND r.decided_on IS NOT NULL
                UNION ALL
                SELECT r.decided_on, ch.owner_id FROM {t["return"]} r JOIN ch ON ch.id = r.contract_id
                WHERE r.decided_on IS NOT NULL
                UNION ALL
                SELECT (l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id FROM {t["log"]} l
                WHERE l.updated_at >= %(since)s
                UNION ALL
                SELECT (registered_at AT TIME ZONE %(tz)s)::date, owner_id FROM moved WHERE owner_moved
                UNION ALL
                SELECT (registered_before AT TIME ZONE %(tz)s)::date, owner_before FROM moved
                WHERE owner_moved AND registered_before IS NOT NULL
                UNION ALL
                SELECT (l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id
                FROM {t["log"]} l JOIN moved ON moved.id = l.customer_id WHERE moved.unit_moved
                UNION ALL
                SELECT c.signed_on, c.owner_id FROM {t["contract"]} c JOIN moved ON moved.id = c.customer_id
                WHERE moved.kind_moved AND c.signed_on IS NOT NULL
                UNION ALL
                SELECT r.decided_on, c.owner_id FROM {t["return"]} r JOIN {t["contract"]} c ON c.id = r.contract_id
                JOIN moved ON moved.id = c.customer_id WHERE moved.kind_moved AND r.decided_on IS NOT NULL
                {relabelled}
            )
            SELECT DISTINCT date_trunc('month', day)::date, owner_id FROM days WHERE owner_id IS NOT NULL
            """,  # noqa: S608 - our own table and column names
            params,
        )
        return {(row[0], row[1]) for row in cur.fetchall()}


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
    """Rebuild only the (month, salesperson) cells touched since the last refresh (cells_touched), the rankings
    that hold them, and the open receivables and compliance as every refresh does: the cost follows the day's
    changes, not the company's history. The first refresh ever rebuilds everything."""
    today = today or timezone.localdate()
    touched = cells_touched()
    if touched is None:
        return summary_refresh(today=today)
    return summary_refresh(cells=touched, today=today)


# Most of its length is one SQL statement, kept whole so it reads as one query.
def _refresh_monthly(cur, t: dict[str, str], sel: MonthSelection) -> set[tuple[dt.date, int | None]]:
    """Sales per customer and month (CustomerSalesMonthly) and the monthly figures per salesperson and unit
    (PerformanceMonthly: sales, contracts, collections, visits, calls, new customers), in the selected months (or
    cells). Returns the (month, unit) of the customer sales rows removed or written (the rankings to redo)."""
    params = sel.params() | {"sold": list(SOLD_STATUSES)}
    cur.execute(f"DELETE FROM {t['perf']} WHERE {sel.rows()}", params)  # noqa: S608 - table names are ours
    cur.execute(
        f"WITH gone AS (DELETE FROM {t['cust']} WHERE {sel.rows()} RETURNING month, unit_id) "  # noqa: S608
        "SELECT DISTINCT month, unit_id FROM gone",
        params,
    )
    units = {(row[0], row[1]) for row in cur.fetchall()}
    cur.execute(
        f"""
        WITH sold AS (
            SELECT c.id, c.owner_id, c.unit_id, c.customer_id, c.amount,
                   date_trunc('month', c.signed_on)::date AS month
            FROM {t["contract"]} c
            WHERE c.status = ANY(%(sold)s) AND {sel.signed("c")}
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
            WHERE r.status = 'approved' AND {sel.decided("r")} AND c.status = ANY(%(sold)s)
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
            WHERE {sel.date("p.paid_on", "c.owner_id")} GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id, cu.unit_id,
                   0, 0, 0, 0, COUNT(*) FILTER (WHERE l.kind = 'visit'), COUNT(*) FILTER (WHERE l.kind = 'call'), 0
            FROM {t["log"]} l JOIN {t["customer"]} cu ON cu.id = l.customer_id
            WHERE {sel.moment("l.happened_at", "l.author_id")} GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', cu.registered_at AT TIME ZONE %(tz)s)::date, cu.owner_id, cu.unit_id,
                   0, 0, 0, 0, 0, 0, COUNT(*)
            FROM {t["customer"]} cu
            WHERE cu.owner_id IS NOT NULL AND {sel.moment("cu.registered_at", "cu.owner_id")} GROUP BY 1, 2, 3
        )
        INSERT INTO {t["perf"]} (month, owner_id, unit_id, sales_amount, sales_quantity, contracts, collected,
                                 visits, calls, new_customers)
        SELECT month, owner_id, unit_id, SUM(sa), SUM(sq), SUM(nc_contracts), SUM(col), SUM(v), SUM(ca), SUM(nc)
        FROM facts GROUP BY 1, 2, 3
        """,  # noqa: S608
        params,
    )
    if sel.cells is not None:
        cur.execute(f"SELECT DISTINCT month, unit_id FROM {t['cust']} WHERE {sel.rows()}", params)  # noqa: S608
        units |= {(row[0], row[1]) for row in cur.fetchall()}
    return units


def _refresh_breakdowns(cur, t: dict[str, str], sel: MonthSelection) -> None:
    """Sales per month, salesperson, unit and value of each recorded breakdown dimension (reports.breakdowns), in
    the selected months: contract amounts for contract-level dimensions, order-line amounts for products."""
    from ..breakdowns import dimensions

    params = sel.params() | {"sold": list(SOLD_STATUSES)}
    if sel.cells is None:
        cur.execute(f"DELETE FROM {t['breakdown']} WHERE {sel.month_rows()}", params)  # noqa: S608
    else:  # the salespeople's own rows of the cells; the units' and the company's sums of their months below
        cur.execute(
            f"WITH gone AS (DELETE FROM {t['breakdown']} WHERE {sel.rows()} RETURNING month, unit_id) "  # noqa: S608
            "SELECT DISTINCT month, unit_id FROM gone",
            params,
        )
        unit_months = set(cur.fetchall())
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
            WHERE c.status = ANY(%(sold)s) AND {sel.signed("c")}
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
            WHERE r.status = 'approved' AND c.status = ANY(%(sold)s) AND {sel.decided("r")}
            GROUP BY 1, 2, 3, 5
            """,
            params | {"dim": dim.key},
        )
    if sel.cells is None:
        for level in ("unit_id", "NULL::bigint"):
            cur.execute(
                f"""
                INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
                SELECT month, NULL::bigint, {level}, dimension, key, MIN(label), SUM(amount), SUM(quantity)
                FROM {t["breakdown"]}
                WHERE {sel.month_rows()} AND owner_id IS NOT NULL
                GROUP BY 1, 3, 4, 5
                """,  # noqa: S608
                params,
            )
        return
    _sum_breakdowns_incrementally(cur, t, sel, params, unit_months)


def _sum_breakdowns_incrementally(cur, t: dict[str, str], sel: MonthSelection, params: dict, unit_months) -> None:
    """The units' and the company's rows of the rebuilt cells' months, as a full rebuild sums them: per unit from
    the salespeople's rows (only the units whose rows moved), the company from the units' sums and the rows of
    salespeople without a unit (whose unit-level sum is, as in a full rebuild, a row without unit either)."""
    cur.execute(f"SELECT DISTINCT month, unit_id FROM {t['breakdown']} WHERE {sel.rows()}", params)  # noqa: S608
    unit_months |= set(cur.fetchall())
    pairs = sorted((m, u) for m, u in unit_months if u is not None)
    params = params | {"pair_months": [m for m, _u in pairs], "pair_units": [u for _m, u in pairs]}
    moved = "month = ANY(%(pair_months)s) AND "
    moved += "(month, unit_id) IN (SELECT * FROM unnest(%(pair_months)s::date[], %(pair_units)s::bigint[]))"
    cur.execute(f"DELETE FROM {t['breakdown']} WHERE owner_id IS NULL AND {moved}", params)  # noqa: S608
    cur.execute(
        f"""
        INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
        SELECT month, NULL::bigint, unit_id, dimension, key, MIN(label), SUM(amount), SUM(quantity)
        FROM {t["breakdown"]}
        WHERE owner_id IS NOT NULL AND {moved}
        GROUP BY 1, 3, 4, 5
        """,  # noqa: S608
        params,
    )
    month_rows = sel.month_rows()
    cur.execute(
        f"DELETE FROM {t['breakdown']} WHERE owner_id IS NULL AND unit_id IS NULL AND {month_rows}",  # noqa: S608
        params,
    )
    cur.execute(
        f"""
        INSERT INTO {t["breakdown"]} (month, owner_id, unit_id, dimension, key, label, amount, quantity)
        SELECT month, NULL::bigint, NULL::bigint, dimension, key, MIN(label), SUM(amount), SUM(quantity)
        FROM {t["breakdown"]}
        WHERE owner_id IS NOT NULL AND unit_id IS NULL AND {month_rows}
        GROUP BY 1, 4, 5
        UNION ALL
        SELECT month, NULL::bigint, NULL::bigint, dimension, key, MIN(label), SUM(amount), SUM(quantity)
        FROM (
            SELECT month, dimension, key, label, amount, quantity FROM {t["breakdown"]}
            WHERE owner_id IS NULL AND unit_id IS NOT NULL AND {month_rows}
            UNION ALL
            SELECT month, dimension, key, label, amount, quantity FROM {t["breakdown"]}
            WHERE owner_id IS NOT NULL AND unit_id IS NULL AND {month_rows}
        ) parts
        GROUP BY 1, 4, 5
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


def _refresh_top_customers(
    cur,
    t: dict[str, str],
    *,
    today: dt.date,
    sel: MonthSelection,
    units: set[tuple[dt.date, int | None]] | None = None,
    last_on: dt.date | None = None,
) -> None:
    """Top ten customers of the current month, quarter and year per company, unit and salesperson; when the refresh
    covers earlier years (the nightly full one), also of every past year and quarter since then (a past period is
    read by the dashboard's period picker; a past month is small enough to be read live).

    Rebuilding cells, it ranks again the periods holding them — the company's ranking, and those of the units
    (`units`: month, unit) and salespeople whose rows moved in the period — and, in full, a current period that
    began since the last refresh
    (`last_on`); rankings of periods no longer current go, as a full rebuild leaves none."""
    this_year = period_bounds("year", today)[0]
    current = [
        ("month", *period_bounds("month", today)),
        ("quarter", *period_bounds("quarter", today)),
        ("year", *period_bounds("year", today)),
    ]
    if sel.cells is not None:
        began = [p for p in current if last_on is None or not (p[1] <= last_on <= p[2])]
        held = {(kind, *period_bounds(kind, m)) for m in sel.months for kind in ("month", "quarter", "year")}
        # Ranked as a full rebuild ranks: the current periods, and the past years and their quarters.
        held = {p for p in held if p not in began and (p in current or (p[1] < this_year and p[0] != "month"))}
        # A year ended since the last refresh: a full rebuild ranks it and its four quarters as past periods, but
        # only its last quarter was current (and ranked) before — rank the year and every quarter of it in full.
        ended = [
            period
            for year in range(last_on.year if last_on else this_year.year, this_year.year)
            for period in [
                ("year", *period_bounds("year", dt.date(year, 1, 1))),
                *(("quarter", *period_bounds("quarter", dt.date(year, m, 1))) for m in (1, 4, 7, 10)),
            ]
        ]
        held -= set(ended)
        began += ended
        cur.execute(
            f"DELETE FROM {t['top']} WHERE (period_start >= %s AND (period_type, period_start) NOT IN "  # noqa: S608
            "(SELECT * FROM unnest(%s::text[], %s::date[]))) OR (period_type = 'month' AND period_start < %s)",
            [this_year, [p[0] for p in current], [p[1] for p in current], current[0][1]],
        )
        for kind, start, _end in began:
            cur.execute(
                f"DELETE FROM {t['top']} WHERE period_type = %s AND period_start = %s",  # noqa: S608
                [kind, start],
            )
        _rank_top_customers(cur, t, began)
        for kind, start, end in sorted(held):
            unit_ids = sorted({u for m, u in units or () if start <= m <= end and u is not None})
            owner_ids = sorted({owner for m, owner in sel.cells if start <= m <= end})
            cur.execute(
                f"DELETE FROM {t['top']} WHERE period_type = %s AND period_start = %s "  # noqa: S608
                "AND (owner_id IS NULL AND (unit_id IS NULL OR unit_id = ANY(%s)) OR owner_id = ANY(%s))",
                [kind, start, unit_ids, owner_ids],
            )
            _rank_top_customers(cur, t, [(kind, start, end)], units=unit_ids, owners=owner_ids)
        return
    periods = list(current)
    if sel.since is not None and sel.since < this_year:
        cur.execute(f"SELECT MIN(month) FROM {t['cust']}")  # noqa: S608
        first = max(sel.since, cur.fetchone()[0] or this_year)
        for year in range(first.year, this_year.year):
            periods.append(("year", *period_bounds("year", dt.date(year, 1, 1))))
            periods += [("quarter", *period_bounds("quarter", dt.date(year, m, 1))) for m in (1, 4, 7, 10)]
        cur.execute(f"DELETE FROM {t['top']} WHERE period_start >= %s", [dt.date(first.year, 1, 1)])  # noqa: S608
    else:
        cur.execute(f"DELETE FROM {t['top']} WHERE period_start >= %s", [this_year])  # noqa: S608
    _rank_top_customers(cur, t, periods)


def _rank_top_customers(
    cur, t: dict[str, str], periods, *, units: list[int] | None = None, owners: list[int] | None = None
) -> None:
    """Insert the top ten of each period (kind, start, end) for the company, each unit and each salesperson — or,
    given `units` and `owners`, for the company, those units (and customers sold without a unit) and those
    salespeople only."""
    if not periods:
        return
    params: dict = {"units": units or [], "owners": owners or []}
    values = ", ".join(f"(%(pt_{n})s, %(ps_{n})s::date, %(pe_{n})s::date)" for n in range(len(periods)))
    for n, (kind, start, end) in enumerate(periods):
        params[f"pt_{n}"], params[f"ps_{n}"], params[f"pe_{n}"] = kind, start, end
    levels = [
        ("NULL", "NULL", ""),
        ("c.unit_id", "NULL", "" if units is None else "AND (c.unit_id IS NULL OR c.unit_id = ANY(%(units)s))"),
        ("NULL", "c.owner_id", "" if owners is None else "AND c.owner_id = ANY(%(owners)s)"),
    ]
    for unit_col, owner_col, only in levels:
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
                WHERE TRUE {only}
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
