"""The dashboard's summary tables, rebuilt in one transaction."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, models, transaction
from django.utils import timezone

from core.periods import month_start, period_bounds
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


@transaction.atomic
def summary_refresh(*, since: dt.date | None = None, today: dt.date | None = None) -> SummaryState:
    """Rebuild the dashboard's summary tables: every month from `since` (all history when None), and the open
    receivables. Runs in one transaction, so readers see either the old or the new figures, never half."""
    started = time.monotonic()
    t = _tables()
    since = month_start(since or dt.date(1900, 1, 1))
    with connection.cursor() as cur:
        # One refresh at a time (the 10-minute and the nightly task may overlap): a second one waits here, then
        # starts from a fresh snapshot, so rows are never deleted by one and inserted twice.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])
        _refresh_monthly(cur, t, since=since)
        _refresh_breakdowns(cur, t, since=since)
        today = today or timezone.localdate()
        _refresh_receivables(cur, t, today=today)
        _refresh_top_customers(cur, t, today=today, since=since)
        _refresh_receivable_ages(cur, t, today=today)
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


def earliest_month_touched(*, since: dt.datetime) -> dt.date | None:
    """The first month whose figures a change made at or after `since` may move: contracts (their signing
    month), payments, contact logs and customers created or edited since then. None when nothing changed.
    Rows are never deleted here (cancelled, not removed), so "changed since" covers every move of a figure."""
    from customers.models import ContactLog
    from sales.models import Contract, Payment, SalesReturn

    def first(model, field):
        return model.objects.filter(updated_at__gte=since).order_by().aggregate(m=models.Min(field))["m"]

    moments = [
        first(Contract, "signed_on"),
        first(Payment, "paid_on"),
        first(SalesReturn, "decided_on"),
        first(ContactLog, "happened_at"),
        first(Customer, "registered_at"),
    ]
    days = [m.astimezone(local_tz()).date() if isinstance(m, dt.datetime) else m for m in moments if m is not None]
    return month_start(min(days)) if days else None


def summary_refresh_incremental(*, today: dt.date | None = None) -> SummaryState:
    """Rebuild only from the first month touched since the last refresh (and always the current month, whose
    open receivables and compliance move with the calendar): the cost follows the day's changes, not the
    company's history. The first refresh ever rebuilds everything."""
    today = today or timezone.localdate()
    last = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
    if last is None:
        return summary_refresh(today=today)
    touched = earliest_month_touched(since=last - dt.timedelta(minutes=5))  # a margin for commits in flight
    since = min(touched, month_start(today)) if touched else month_start(today)
    return summary_refresh(since=since, today=today)


# Most of its length is one SQL statement, kept whole so it reads as one query.
def _refresh_monthly(cur, t: dict[str, str], *, since: dt.date) -> None:
    """Sales per customer and month (CustomerSalesMonthly) and the monthly figures per salesperson and unit
    (PerformanceMonthly: sales, contracts, collections, visits, calls, new customers), from `since` on."""
    since_dt = dt.datetime.combine(since, dt.time()).replace(tzinfo=local_tz())
    params = {"since": since, "since_dt": since_dt, "tz": str(local_tz()), "sold": list(SOLD_STATUSES)}
    cur.execute(f"DELETE FROM {t['perf']} WHERE month >= %(since)s", params)  # noqa: S608 - table names are ours
    cur.execute(f"DELETE FROM {t['cust']} WHERE month >= %(since)s", params)  # noqa: S608
    cur.execute(
        f"""
        WITH sold AS (
            SELECT c.id, c.owner_id, c.unit_id, c.customer_id, c.amount,
                   date_trunc('month', c.signed_on)::date AS month
            FROM {t["contract"]} c
            WHERE c.status = ANY(%(sold)s) AND c.signed_on >= %(since)s
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
            WHERE r.status = 'approved' AND r.decided_on >= %(since)s AND c.status = ANY(%(sold)s)
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
            WHERE p.paid_on >= %(since)s GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id, cu.unit_id,
                   0, 0, 0, 0, COUNT(*) FILTER (WHERE l.kind = 'visit'), COUNT(*) FILTER (WHERE l.kind = 'call'), 0
            FROM {t["log"]} l JOIN {t["customer"]} cu ON cu.id = l.customer_id
            WHERE l.happened_at >= %(since_dt)s GROUP BY 1, 2, 3
            UNION ALL
            SELECT date_trunc('month', cu.registered_at AT TIME ZONE %(tz)s)::date, cu.owner_id, cu.unit_id,
                   0, 0, 0, 0, 0, 0, COUNT(*)
            FROM {t["customer"]} cu
            WHERE cu.owner_id IS NOT NULL AND cu.registered_at >= %(since_dt)s GROUP BY 1, 2, 3
        )
        INSERT INTO {t["perf"]} (month, owner_id, unit_id, sales_amount, sales_quantity, contracts, collected,
                                 visits, calls, new_customers)
        SELECT month, owner_id, unit_id, SUM(sa), SUM(sq), SUM(nc_contracts), SUM(col), SUM(v), SUM(ca), SUM(nc)
        FROM facts GROUP BY 1, 2, 3
        """,  # noqa: S608
        params,
    )


def _refresh_breakdowns(cur, t: dict[str, str], *, since: dt.date) -> None:
    """Sales per month, salesperson, unit and value of each recorded breakdown dimension (reports.breakdowns), from
    `since` on: contract amounts for contract-level dimensions, order-line amounts for products."""
    from ..breakdowns import dimensions

    params = {"since": since, "sold": list(SOLD_STATUSES)}
    cur.execute(f"DELETE FROM {t['breakdown']} WHERE month >= %(since)s", params)  # noqa: S608
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
            WHERE c.status = ANY(%(sold)s) AND c.signed_on >= %(since)s
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
            WHERE r.status = 'approved' AND c.status = ANY(%(sold)s) AND r.decided_on >= %(since)s
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
            WHERE month >= %(since)s AND owner_id IS NOT NULL
            GROUP BY 1, 3, 4, 5
            """,  # noqa: S608
            params,
        )


def _refresh_receivables(cur, t: dict[str, str], *, today: dt.date) -> None:
    """Per contract with shipped goods unpaid (retention excluded), by the receivables module's SQL form: the due
    date of its oldest unpaid shipment, and what is overdue today (or, when nothing is yet, what is open)."""
    sql, params = receivables_selectors.summary_sql(
        contracts=receivables_selectors.sold_contracts(), as_of=today, policy=receivables_selectors.policy_for(today)
    )
    n = len(rules.bucket_keys(receivables_selectors.policy_for(today)))
    overdue = " + ".join(f"b_{i}" for i in range(1, n)) or "0"
    shipped_open = " + ".join(f"b_{i}" for i in range(n))
    cur.execute(f"DELETE FROM {t['recv']}")  # noqa: S608
    cur.execute(
        f"""
        {sql}
        INSERT INTO {t["recv"]} (contract_id, owner_id, unit_id, customer_id, due_on, outstanding)
        SELECT contract_id, owner_id, unit_id, customer_id, oldest_due_on,
               CASE WHEN ({overdue}) > 0 THEN ({overdue}) ELSE ({shipped_open}) END
        FROM summary WHERE ({shipped_open}) > 0 AND oldest_due_on IS NOT NULL
        """,  # noqa: S608 - our own table and column names
        params,
    )


def _refresh_top_customers(cur, t: dict[str, str], *, today: dt.date, since: dt.date | None = None) -> None:
    """Top ten customers of the current month, quarter and year per company, unit and salesperson; when the refresh
    covers earlier years (the nightly full one), also of every past year and quarter since then (a past period is
    read by the dashboard's period picker; a past month is small enough to be read live)."""
    params: dict = {}
    this_year = period_bounds("year", today)[0]
    periods = [
        ("month", *period_bounds("month", today)),
        ("quarter", *period_bounds("quarter", today)),
        ("year", *period_bounds("year", today)),
    ]
    if since is not None and since < this_year:
        cur.execute(f"SELECT MIN(month) FROM {t['cust']}")  # noqa: S608
        first = max(since, cur.fetchone()[0] or this_year)
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


def _refresh_receivable_ages(cur, t: dict[str, str], *, today: dt.date) -> None:
    """Open shipped receivables per salesperson, unit and aging bucket, aged today per shipment (the receivables
    module's SQL form)."""
    policy = receivables_selectors.policy_for(today)
    sql, params = receivables_selectors.aged_sql(
        contracts=receivables_selectors.sold_contracts(), as_of=today, policy=policy
    )
    params["today"] = today
    cur.execute(f"DELETE FROM {t['age']}")  # noqa: S608
    cur.execute(
        f"""
        {sql}
        INSERT INTO {t["age"]} (as_of, owner_id, unit_id, bucket, amount, contracts)
        SELECT %(today)s, c.owner_id, c.unit_id, aged.bucket, SUM(aged.open), COUNT(DISTINCT aged.contract_id)
        FROM aged JOIN c ON c.id = aged.contract_id WHERE aged.open > 0
        GROUP BY 2, 3, 4
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
