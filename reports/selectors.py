"""Reads of the reports app: report pre-fill, compliance, evaluation figures and the dashboard.

Every function runs a bounded number of queries, whatever the number of people, customers or orders."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, SalesUnit, User
from commission.selectors import expense_control_by_owner
from core.money import round_money
from customers.models import ContactKind, ContactLog, Customer
from sales.models import Contract, ContractLine, Payment, Shipment

from .calendar import WorkingCalendar, local_tz, policy_for, report_deadline
from .models import (
    ComplianceMonthly,
    CustomerSalesMonthly,
    DailyReport,
    Dimension,
    Evaluation,
    PerformanceMonthly,
    ReceivableAgeSummary,
    ReceivableSnapshot,
    SummaryState,
    Target,
    TargetLine,
    TopCustomerSummary,
    VisitRoute,
)
from .periods import add_months, month_start, months_in, period_bounds, period_label, quarter_start, year_start

SOLD = ["signed", "filed"]
ZERO = Decimal("0")


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(day, dt.time()).replace(tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _dates_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return _day_range(start)[0], _day_range(end)[1]


def pct(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if whole in (None, 0) or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --------------------------------------------------------------------------------------------------------------
# Daily report pre-fill
# --------------------------------------------------------------------------------------------------------------
def contact_counts(*, author: User, day: dt.date) -> dict[str, int]:
    start, end = _day_range(day)
    rows = (
        ContactLog.objects.filter(author=author, happened_at__gte=start, happened_at__lt=end)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


@dataclass
class Prefill:
    day: dt.date
    logs: list[ContactLog]
    route: list[VisitRoute]
    visits: int
    calls: int
    messages: int
    activities: str
    plan_tomorrow: str
    deadline: dt.datetime


def daily_report_prefill(*, author: User, day: dt.date) -> Prefill:
    """What the salesperson did that day according to the contact log, and tomorrow's fixed route."""
    start, end = _day_range(day)
    logs = list(
        ContactLog.objects.filter(author=author, happened_at__gte=start, happened_at__lt=end)
        .select_related("customer")
        .order_by("happened_at")
    )
    tomorrow = day + dt.timedelta(days=1)
    route = list(
        VisitRoute.objects.filter(owner=author, weekday=tomorrow.weekday())
        .select_related("customer")
        .order_by("position")
    )
    lines = []
    for log in logs:
        parts = [
            f"{timezone.localtime(log.happened_at, local_tz()):%H:%M}",
            str(log.get_kind_display()),
            str(log.customer),
        ]
        if log.purpose:
            parts.append(log.purpose)
        text = " ".join(parts)
        if log.outcome:
            text += f": {log.outcome}"
        if log.next_step:
            text += f" → {log.next_step}"
            if log.next_step_date:
                text += f" ({log.next_step_date:%m-%d})"
        lines.append(text)
    follow_ups = [
        f"{log.customer}: {log.next_step}" for log in logs if log.next_step and log.next_step_date == tomorrow
    ]
    plan = [f"{_('Route')}: {stop.customer}" for stop in route] + follow_ups
    kinds = defaultdict(int)
    for log in logs:
        kinds[log.kind] += 1
    return Prefill(
        day=day,
        logs=logs,
        route=route,
        visits=kinds[ContactKind.VISIT],
        calls=kinds[ContactKind.CALL],
        messages=kinds[ContactKind.MESSAGE],
        activities="\n".join(lines),
        plan_tomorrow="\n".join(plan),
        deadline=report_deadline(day, policy_for(day)),
    )


# --------------------------------------------------------------------------------------------------------------
# Report compliance
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Compliance:
    due_days: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return pct(self.on_time, self.due_days)


def report_compliance(
    *, people: list[User], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> dict[int, Compliance]:
    """Share of working days with an on-time report, per person. A working day counts once its cut-off has
    passed (or once its report is in), from the day the person joined. Three queries."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    end = min(end, today)
    if end < start or not people:
        return {p.pk: Compliance(0, 0) for p in people}
    cal = WorkingCalendar(start, end)
    return compliance_slices(people=people, slices={"p": (start, end)}, now=now, cal=cal)["p"]


def compliance_slices(
    *, people: list[User], slices: dict[str, tuple[dt.date, dt.date]], now: dt.datetime, cal: WorkingCalendar
) -> dict[str, dict[int, Compliance]]:
    """Report compliance per person for several periods at once, counted in the database (one query, one row
    per person), so it stays fast with a year of reports for hundreds of people.

    Due days of a period: its working days whose cut-off has passed, from the person's first day (when they
    joined, or their first report if earlier: people moved into the CRM with their history), plus working days
    not yet closed whose report is already in on time. On time: reports filed before their cut-off."""
    lo = min(s for s, _e in slices.values())
    hi = max(e for _s, e in slices.values())
    days = cal.working_days(lo, hi)
    passed = [d for d in days if report_deadline(d, cal.policy_on(d)) < now]
    passed_set = set(passed)
    pending = [d for d in days if d not in passed_set]
    # Days before `stable_before` (reports locked for good) come from the ComplianceMonthly summary when it covers
    # every slice; the others are counted live. Slices start on the first of a month.
    state = SummaryState.objects.filter(name="dashboard").values_list("stable_before", flat=True).first()
    use_summary = state is not None and all(
        s.day == 1 and (e >= state - dt.timedelta(days=1) or add_months(month_start(e), 1) - dt.timedelta(days=1) == e)
        for s, e in slices.values()
    )
    rows: dict[int, dict] = {}
    live_lo = lo
    if use_summary:
        live_lo = max(lo, state)
        for author_id, month, on_time, first_date in ComplianceMonthly.objects.filter(
            author_id__in=[p.pk for p in people], month__gte=month_start(lo), month__lte=hi, month__lt=state
        ).values_list("author_id", "month", "on_time", "first_date"):
            data = rows.setdefault(author_id, {"first": first_date})
            data["first"] = min(data["first"], first_date)
            for key, (start, end) in slices.items():
                if start <= month <= end:
                    data[f"p_{key}"] = data.get(f"p_{key}", 0) + on_time
    # Raw SQL: the working days travel as one array parameter joined to the reports (a hash join), instead of
    # hundreds of IN (...) placeholders.
    live_days = [d for d in passed + pending if d >= live_lo]
    kinds = ["p" if d in passed_set else "n" for d in live_days]
    params: dict = {"ids": [p.pk for p in people], "lo": live_lo, "hi": hi, "days": live_days, "kinds": kinds}
    counts = []
    for n, (start, end) in enumerate(slices.values()):
        params[f"s{n}"], params[f"e{n}"] = start, end
        counts.append(
            f"COUNT(*) FILTER (WHERE r.date BETWEEN %(s{n})s AND %(e{n})s AND w.kind = 'p'), "
            f"COUNT(*) FILTER (WHERE r.date BETWEEN %(s{n})s AND %(e{n})s AND w.kind = 'n')"
        )
    sql = (
        f"SELECT r.author_id, MIN(r.date), {', '.join(counts)} FROM {DailyReport._meta.db_table} r "  # noqa: S608
        "JOIN unnest(%(days)s::date[], %(kinds)s::text[]) AS w(day, kind) ON w.day = r.date "
        "WHERE r.author_id = ANY(%(ids)s) AND r.date BETWEEN %(lo)s AND %(hi)s AND r.submitted_at IS NOT NULL "
        "AND (r.deadline IS NULL OR r.submitted_at <= r.deadline) GROUP BY r.author_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    for row in fetched:
        data = rows.setdefault(row[0], {"first": row[1]})
        data["first"] = min(data["first"], row[1])
        for n, key in enumerate(slices):
            data[f"p_{key}"] = data.get(f"p_{key}", 0) + row[2 + 2 * n]
            data[f"n_{key}"] = data.get(f"n_{key}", 0) + row[3 + 2 * n]
    out: dict[str, dict[int, Compliance]] = {key: {} for key in slices}
    for person in people:
        row = rows.get(person.pk, {})
        joined = timezone.localtime(person.date_joined, local_tz()).date() if person.date_joined else lo
        first = min(joined, row["first"]) if row.get("first") else joined
        for key, (start, end) in slices.items():
            begin = max(start, first)
            due_passed = bisect_right(passed, end) - bisect_left(passed, begin) if begin <= end else 0
            filed_pending = row.get(f"n_{key}", 0)
            out[key][person.pk] = Compliance(
                due_days=max(due_passed, 0) + filed_pending, on_time=row.get(f"p_{key}", 0) + filed_pending
            )
    return out


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------
class TargetBook:
    """Target amounts by key (a unit id, None for the company, or ('sp', user id)) and period. A period without
    its own target takes its share of the enclosing quarter or year (months: 1/3 of the quarter or 1/12 of the
    year); a year without its own target is the sum of its quarters or months when all are set."""

    def __init__(self):
        self._amounts: dict[tuple, Decimal] = {}

    def add(self, key, period_type: str, start: dt.date, amount: Decimal) -> None:
        k = (key, period_type, start)
        self._amounts[k] = self._amounts.get(k, ZERO) + amount

    def has(self, key) -> bool:
        return any(k[0] == key for k in self._amounts)

    def amount(self, key, period_type: str, start: dt.date) -> Decimal | None:
        a = self._amounts
        if (key, period_type, start) in a:
            return a[(key, period_type, start)]
        if period_type == "month":
            q = (key, "quarter", quarter_start(start))
            if q in a:
                return round_money(a[q] / 3)
            y = (key, "year", year_start(start))
            return round_money(a[y] / 12) if y in a else None
        if period_type == "quarter":
            y = (key, "year", year_start(start))
            if y in a:
                return round_money(a[y] / 4)
            months = [(key, "month", add_months(start, i)) for i in range(3)]
            return sum((a[m] for m in months), ZERO) if all(m in a for m in months) else None
        quarters = [(key, "quarter", add_months(start, 3 * i)) for i in range(4)]
        if all(q in a for q in quarters):
            return sum((a[q] for q in quarters), ZERO)
        months = [(key, "month", add_months(start, i)) for i in range(12)]
        return sum((a[m] for m in months), ZERO) if all(m in a for m in months) else None


def target_book(*, year_from: dt.date, year_to: dt.date, user_ids=None, unit_ids=None, company=False) -> TargetBook:
    """Targets of the given units/company and salesperson split lines of the given people (two queries)."""
    book = TargetBook()
    units_q = Q(pk__in=[])
    if unit_ids is not None:
        units_q |= Q(unit_id__in=list(unit_ids))
    if company:
        units_q |= Q(unit__isnull=True) | Q(unit__isnull=False)
    for unit_id, ptype, start, amount in Target.objects.filter(
        units_q, period_start__gte=year_from, period_start__lte=year_to
    ).values_list("unit_id", "period_type", "period_start", "amount"):
        book.add(unit_id, ptype, start, amount)
        if company and unit_id is not None:
            book.add(("units",), ptype, start, amount)
    if user_ids:
        for sp, ptype, start, amount in TargetLine.objects.filter(
            dimension=Dimension.SALESPERSON,
            salesperson_id__in=list(user_ids),
            target__period_start__gte=year_from,
            target__period_start__lte=year_to,
        ).values_list("salesperson_id", "target__period_type", "target__period_start", "amount"):
            book.add(("sp", sp), ptype, start, amount)
    return book


@dataclass(frozen=True)
class TargetProgress:
    actual: Decimal
    completion: Decimal | None
    expected: Decimal
    pace: Decimal | None


def target_progress(*, target: Target, now: dt.datetime | None = None) -> TargetProgress:
    """Sales of the target's unit (or the company) in its period so far, against the whole and the pace."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = period_bounds(target.period_type, target.period_start)
    sold = Contract.objects.filter(status__in=SOLD, signed_on__gte=start, signed_on__lte=min(end, today))
    if target.unit_id:
        sold = sold.filter(unit_id=target.unit_id)
    actual = sold.aggregate(s=Sum("amount"))["s"] or ZERO
    days = WorkingCalendar(start, end).working_days()
    elapsed = len([d for d in days if d <= today])
    expected = round_money(target.amount * Decimal(elapsed) / Decimal(len(days))) if days else target.amount
    return TargetProgress(
        actual=actual, completion=pct(actual, target.amount), expected=expected, pace=pct(actual, expected)
    )


@dataclass
class SplitRow:
    label: str
    amount: Decimal
    actual: Decimal | None
    completion: Decimal | None


@dataclass
class SplitView:
    dimension: str
    label: str
    rows: list[SplitRow]
    assigned: Decimal
    unassigned: Decimal


def target_splits(*, target: Target, today: dt.date | None = None) -> list[SplitView]:
    """Each dimension's split with its unassigned remainder and the progress of each part (from live data)."""
    start, end = period_bounds(target.period_type, target.period_start)
    lines = list(target.lines.select_related("product", "customer", "salesperson"))
    sold = Contract.objects.filter(status__in=SOLD, signed_on__gte=start, signed_on__lte=end)
    if target.unit_id:
        sold = sold.filter(unit_id=target.unit_id)
    actual: dict[str, dict] = {
        Dimension.SALESPERSON: dict(sold.values_list("owner_id").annotate(s=Sum("amount")).order_by()),
        Dimension.CUSTOMER: dict(sold.values_list("customer_id").annotate(s=Sum("amount")).order_by()),
        Dimension.REGION: dict(sold.values_list("customer__region").annotate(s=Sum("amount")).order_by()),
    }
    line_sales = ContractLine.objects.filter(contract__in=sold)
    actual[Dimension.PRODUCT] = dict(
        line_sales.values_list("product_id").annotate(s=Sum(F("quantity") * F("unit_price"))).order_by()
    )
    views = []
    for dim, label in Dimension.choices:
        mine = [ln for ln in lines if ln.dimension == dim]
        if not mine:
            continue
        rows = []
        for ln in mine:
            key = {
                Dimension.SALESPERSON: ln.salesperson_id,
                Dimension.CUSTOMER: ln.customer_id,
                Dimension.REGION: ln.region,
                Dimension.PRODUCT: ln.product_id,
            }.get(dim)
            act = actual[dim].get(key, ZERO) if dim in actual else None
            rows.append(SplitRow(label=ln.key_label, amount=ln.amount, actual=act, completion=pct(act, ln.amount)))
        assigned = sum((ln.amount for ln in mine), ZERO)
        views.append(
            SplitView(
                dimension=dim, label=str(label), rows=rows, assigned=assigned, unassigned=target.amount - assigned
            )
        )
    return views


# --------------------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------------------
@dataclass
class Figures:
    salesperson_id: int
    period_type: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    sales_amount: Decimal = ZERO
    sales_quantity: Decimal = ZERO
    contracts: int = 0
    target_amount: Decimal | None = None
    completion: Decimal | None = None
    expected_by_today: Decimal | None = None
    pace: Decimal | None = None
    collections: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    overdue_contracts: int = 0
    visits: int = 0
    calls: int = 0
    working_days_due: int = 0
    reports_on_time: int = 0
    report_compliance: Decimal | None = None
    # Expense control (commission app's rule: commission.selectors.expense_control_by_owner): expense claims
    # approved in the period on the person's contracts against the expense allowance of the contracts sold in it.
    expenses_approved: Decimal = ZERO
    expense_allowance: Decimal = ZERO
    expense_excess: Decimal = ZERO
    expense_used: Decimal | None = None  # approved ÷ allowance, %
    new_customers: int = 0
    repeat_customers: int = 0
    feedback: str = ""
    feedback_by: str = ""

    def as_json(self) -> dict:
        out = {}
        for key, value in asdict(self).items():
            out[key] = str(value) if isinstance(value, Decimal | dt.date) else value
        return out


def overdue_by_owner(*, owner_ids, as_of: dt.date) -> dict[int, tuple[Decimal, int]]:
    """Open receivables (retention excluded) of shipped contracts unpaid past the overdue limit, live."""
    months = policy_for(as_of).overdue_after_months
    owner_ids = list(owner_ids)
    if len(owner_ids) > 20:
        return _overdue_by_owner_bulk(owner_ids=owner_ids, as_of=as_of, months=months)
    paid = (
        Payment.objects.filter(contract=OuterRef("pk"), paid_on__lte=as_of)
        .exclude(kind="retention")
        .values("contract")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    first_ship = (
        Shipment.objects.filter(contract=OuterRef("pk"), shipped_on__lte=as_of)
        .values("contract")
        .annotate(d=Min("shipped_on"))
        .values("d")
    )
    rows = (
        Contract.objects.filter(owner_id__in=list(owner_ids), status__in=SOLD)
        .annotate(
            paid=Coalesce(Subquery(paid), Value(ZERO)),
            first_ship=Subquery(first_ship),
        )
        .annotate(open=F("amount") - F("retention_amount") - F("paid"))
        .filter(open__gt=0, first_ship__isnull=False, first_ship__lt=add_months(as_of, -months))
        .values_list("owner_id", "open")
    )
    out: dict[int, tuple[Decimal, int]] = {}
    for owner_id, amount in rows:
        total, n = out.get(owner_id, (ZERO, 0))
        out[owner_id] = (total + amount, n + 1)
    return out


def _overdue_by_owner_bulk(*, owner_ids: list[int], as_of: dt.date, months: int) -> dict[int, tuple[Decimal, int]]:
    """The same figure for many people at once: payments and shipments aggregated once and hash-joined, instead of
    two correlated subqueries per contract (3 s for 200 people and 250,000 contracts, against a few hundred ms)."""
    sql = f"""
        SELECT c.owner_id, SUM(c.amount - c.retention_amount - COALESCE(p.paid, 0)), COUNT(*)
        FROM {Contract._meta.db_table} c
        JOIN (SELECT contract_id, MIN(shipped_on) AS first_ship FROM {Shipment._meta.db_table}
              WHERE shipped_on <= %(as_of)s GROUP BY contract_id) s ON s.contract_id = c.id
        LEFT JOIN (SELECT contract_id, SUM(amount) AS paid FROM {Payment._meta.db_table}
                   WHERE kind <> 'retention' AND paid_on <= %(as_of)s GROUP BY contract_id) p ON p.contract_id = c.id
        WHERE c.owner_id = ANY(%(ids)s) AND c.status = ANY(%(sold)s) AND s.first_ship < %(limit)s
          AND c.amount - c.retention_amount - COALESCE(p.paid, 0) > 0
        GROUP BY c.owner_id
    """  # noqa: S608 - table names are ours
    params = {"as_of": as_of, "ids": owner_ids, "sold": SOLD, "limit": add_months(as_of, -months)}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {owner_id: (amount, n) for owner_id, amount, n in cur.fetchall()}


def _overdue_for_evaluation(*, ids: list[int], as_of: dt.date, today: dt.date) -> dict[int, tuple[Decimal, int]]:
    """Overdue receivables per person. For a large team evaluated as of today, read the open-receivables snapshot
    rebuilt every ten minutes (the same definition) when it was rebuilt today; otherwise compute it live."""
    if len(ids) > 20 and as_of == today:
        refreshed = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
        if refreshed and timezone.localtime(refreshed, local_tz()).date() == today:
            return {
                owner_id: (amount, n)
                for owner_id, amount, n in ReceivableSnapshot.objects.filter(owner_id__in=ids, due_on__lt=as_of)
                .values_list("owner_id")
                .annotate(s=Sum("outstanding"), n=Count("pk"))
                .order_by()
            }
    return overdue_by_owner(owner_ids=ids, as_of=as_of)


def evaluation_figures(
    *, user_ids: list[int], period_type: str, period_start: dt.date, now: dt.datetime | None = None
) -> dict[int, Figures]:
    """Evaluation figures (表現評估) for several salespeople at once, in a fixed number of queries."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    start, end = period_bounds(period_type, period_start)
    as_of = min(end, today)
    people = list(User.objects.filter(pk__in=user_ids))
    figs = {
        p.pk: Figures(salesperson_id=p.pk, period_type=period_type, period_start=start, period_end=end, as_of=as_of)
        for p in people
    }
    if not figs:
        return figs
    ids = list(figs)
    sold = Contract.objects.filter(owner_id__in=ids, status__in=SOLD, signed_on__gte=start, signed_on__lte=as_of)
    for owner_id, amount, n in sold.values_list("owner_id").annotate(s=Sum("amount"), n=Count("id")).order_by():
        figs[owner_id].sales_amount, figs[owner_id].contracts = amount or ZERO, n
    for owner_id, qty in (
        ContractLine.objects.filter(contract__in=sold)
        .values_list("contract__owner_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        figs[owner_id].sales_quantity = qty or ZERO
    for owner_id, amount in (
        Payment.objects.filter(contract__owner_id__in=ids, paid_on__gte=start, paid_on__lte=as_of)
        .values_list("contract__owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        figs[owner_id].collections = amount or ZERO
    for owner_id, (amount, n) in _overdue_for_evaluation(ids=ids, as_of=as_of, today=today).items():
        figs[owner_id].overdue_amount, figs[owner_id].overdue_contracts = amount, n
    for owner_id, ctl in expense_control_by_owner(owner_ids=ids, start=start, end=as_of).items():
        f = figs[owner_id]
        f.expenses_approved, f.expense_allowance, f.expense_excess = ctl.approved, ctl.allowance, ctl.excess
        f.expense_used = pct(ctl.approved, ctl.allowance)
    t0, t1 = _dates_range(start, as_of)
    for author_id, kind, n in (
        ContactLog.objects.filter(author_id__in=ids, happened_at__gte=t0, happened_at__lt=t1)
        .values_list("author_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if kind == ContactKind.VISIT:
            figs[author_id].visits = n
        elif kind == ContactKind.CALL:
            figs[author_id].calls = n
    for owner_id, n in (
        Customer.objects.filter(owner_id__in=ids, registered_at__gte=t0, registered_at__lt=t1)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        figs[owner_id].new_customers = n
    # Repeat customers: bought in the period and had bought before it (from anyone in the company).
    bought_before = Contract.objects.filter(customer=OuterRef("customer"), status__in=SOLD, signed_on__lt=start)
    for owner_id, n in (
        sold.filter(Exists(bought_before))
        .values_list("owner_id")
        .annotate(n=Count("customer", distinct=True))
        .order_by()
    ):
        figs[owner_id].repeat_customers = n
    for pid, comp in report_compliance(people=people, start=start, end=as_of, now=now).items():
        figs[pid].working_days_due, figs[pid].reports_on_time = comp.due_days, comp.on_time
        figs[pid].report_compliance = comp.rate
    book = target_book(year_from=year_start(start), year_to=end, user_ids=ids)
    cal = WorkingCalendar(start, end)
    all_days = cal.working_days()
    elapsed = len([d for d in all_days if d <= as_of])
    for pid, f in figs.items():
        f.target_amount = book.amount(("sp", pid), period_type, start)
        if f.target_amount:
            f.completion = pct(f.sales_amount, f.target_amount)
            ratio = Decimal(elapsed) / Decimal(len(all_days)) if all_days else Decimal(1)
            f.expected_by_today = round_money(f.target_amount * ratio)
            f.pace = pct(f.sales_amount, f.expected_by_today)
    for ev in Evaluation.objects.filter(
        salesperson_id__in=ids, period_type=period_type, period_start=start
    ).select_related("feedback_by"):
        figs[ev.salesperson_id].feedback = ev.feedback
        figs[ev.salesperson_id].feedback_by = str(ev.feedback_by or "")
    return figs


def people_in_scope(user: User):
    """Salespeople the user may evaluate or see on the dashboard."""
    qs = User.objects.filter(role=Role.SALESPERSON, is_active=True)
    if user.is_company_wide:
        return qs
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    if user.is_salesperson:
        return qs.filter(pk=user.pk)
    return qs.none()


# --------------------------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------------------------
class ScopeNotFound(Exception):
    """The requested unit, salesperson or customer is not visible to the user (the views answer 404)."""


@dataclass
class Scope:
    level: str  # company, unit, salesperson, customer
    label: str
    unit: SalesUnit | None = None
    salesperson: User | None = None
    customer: Customer | None = None
    unit_ids: list[int] | None = None  # manager's team when no unit is chosen
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, query string)


def resolve_scope(*, user: User, unit_id=None, salesperson_id=None, customer_id=None) -> Scope:
    """Which slice of the company the dashboard shows; ScopeNotFound when the user may not see it."""

    def _int(v):
        try:
            return int(v) if v not in (None, "") else None
        except (TypeError, ValueError):
            raise ScopeNotFound from None

    unit_id, salesperson_id, customer_id = _int(unit_id), _int(salesperson_id), _int(customer_id)
    crumbs: list[tuple[str, str]] = []
    if user.is_company_wide:
        crumbs.append((str(_("Company")), "?"))
        scope = Scope(level="company", label=str(_("Company")), crumbs=crumbs)
    elif user.is_manager:
        scope = Scope(level="unit", label=str(_("My team")), unit_ids=sorted(user.team_unit_ids), crumbs=crumbs)
        crumbs.append((scope.label, "?"))
    elif user.is_salesperson or user.role == Role.STAFF:
        scope = Scope(level="salesperson", label=user.get_full_name(), salesperson=user, crumbs=crumbs)
        salesperson_id = None
        unit_id = None
    else:
        raise ScopeNotFound
    if customer_id is not None:
        customer = Customer.objects.visible_to(user).select_related("owner", "unit").filter(pk=customer_id).first()
        if customer is None:
            raise ScopeNotFound
        if scope.level == "salesperson" and customer.owner_id != user.pk:
            raise ScopeNotFound
        salesperson_id = salesperson_id or customer.owner_id
        unit_id = unit_id or customer.unit_id
    if unit_id is not None and scope.level != "salesperson":
        unit = SalesUnit.objects.filter(pk=unit_id).first()
        if unit is None or (user.is_manager and unit.pk not in user.team_unit_ids):
            raise ScopeNotFound
        scope = Scope(level="unit", label=unit.name, unit=unit, unit_ids=[unit.pk], crumbs=crumbs)
        crumbs.append((unit.name, f"?unit={unit.pk}"))
    if salesperson_id is not None and scope.level != "salesperson":
        person = User.objects.select_related("unit").filter(pk=salesperson_id).first()
        if person is None or not people_in_scope(user).filter(pk=person.pk).exists():
            raise ScopeNotFound
        scope = Scope(level="salesperson", label=person.get_full_name(), salesperson=person, crumbs=crumbs)
        crumbs.append((person.get_full_name(), f"?salesperson={person.pk}"))
    if customer_id is not None:
        scope = Scope(
            level="customer",
            label=str(customer),
            customer=customer,
            salesperson=scope.salesperson,
            crumbs=crumbs,
        )
        crumbs.append((str(customer), f"?customer={customer.pk}"))
    return scope


def _scoped(qs, scope: Scope, user: User):
    qs = qs.visible_to(user)
    if scope.level == "customer":
        return qs.filter(customer_id=scope.customer.pk) if hasattr(qs.model, "customer") else qs.none()
    if scope.level == "salesperson":
        return qs.filter(owner_id=scope.salesperson.pk)
    if scope.level == "unit":
        return qs.filter(unit_id__in=scope.unit_ids)
    return qs


@dataclass
class PeriodFigures:
    key: str
    label: str
    start: dt.date
    end: dt.date
    sales: Decimal = ZERO
    quantity: Decimal = ZERO
    target: Decimal | None = None
    completion: Decimal | None = None
    expected: Decimal | None = None
    pace: Decimal | None = None
    collected: Decimal = ZERO
    visits: int = 0
    new_customers: int = 0
    compliance: Decimal | None = None


@dataclass
class Dashboard:
    scope: Scope
    today: dt.date
    period: str
    periods: list[PeriodFigures]
    trend: list[dict]
    overdue: list[dict]
    ranking: list[dict]
    units: list[dict]
    top_customers: list[dict]
    refreshed_at: dt.datetime | None

    @property
    def selected(self) -> PeriodFigures:
        return next(p for p in self.periods if p.key == self.period)


AGE_BUCKETS = [
    ("current", _("Not yet due"), None, 0),
    ("1-30", _("1–30 days"), 1, 30),
    ("31-60", _("31–60 days"), 31, 60),
    ("61-90", _("61–90 days"), 61, 90),
    ("91-180", _("91–180 days"), 91, 180),
    ("180+", _("Over 180 days"), 181, None),
]


def dashboard_data(
    *,
    user: User,
    period: str = "month",
    unit_id=None,
    salesperson_id=None,
    customer_id=None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """This month / quarter / year at a glance for the user's scope, from the summary tables. About fifteen
    queries, whatever the size of the company."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    period = period if period in ("month", "quarter", "year") else "month"
    scope = resolve_scope(user=user, unit_id=unit_id, salesperson_id=salesperson_id, customer_id=customer_id)
    starts = {"month": month_start(today), "quarter": quarter_start(today), "year": year_start(today)}
    labels = {"month": _("This month"), "quarter": _("This quarter"), "year": _("This year")}
    periods = [
        PeriodFigures(key=k, label=str(labels[k]), start=s, end=period_bounds(k, s)[1]) for k, s in starts.items()
    ]
    trend_from = add_months(month_start(today), -11)
    earliest = min(trend_from, starts["year"])

    # Monthly figures of the scope (one query).
    if scope.level == "customer":
        monthly = {
            m: {"sales": a, "quantity": q, "collected": ZERO, "visits": 0, "new_customers": 0}
            for m, a, q in _scoped(CustomerSalesMonthly.objects, scope, user)
            .filter(month__gte=earliest)
            .values_list("month")
            .annotate(a=Sum("amount"), q=Sum("quantity"))
            .order_by()
        }
        # One customer is small: its collections and visits are read live (two queries).
        for m, amount in (
            Payment.objects.filter(contract__customer_id=scope.customer.pk, paid_on__gte=earliest)
            .annotate(m=TruncMonth("paid_on"))
            .values_list("m")
            .annotate(s=Sum("amount"))
            .order_by()
        ):
            row = monthly.setdefault(
                m, {"sales": ZERO, "quantity": ZERO, "collected": ZERO, "visits": 0, "new_customers": 0}
            )
            row["collected"] = amount
        for m, n in (
            ContactLog.objects.filter(
                customer_id=scope.customer.pk, kind=ContactKind.VISIT, happened_at__gte=_day_range(earliest)[0]
            )
            .annotate(m=TruncMonth("happened_at", tzinfo=local_tz()))
            .values_list("m")
            .annotate(n=Count("id"))
            .order_by()
        ):
            m = m.date() if isinstance(m, dt.datetime) else m
            row = monthly.setdefault(
                m, {"sales": ZERO, "quantity": ZERO, "collected": ZERO, "visits": 0, "new_customers": 0}
            )
            row["visits"] = n
    else:
        monthly = {
            row["month"]: row
            for row in _scoped(PerformanceMonthly.objects, scope, user)
            .filter(month__gte=earliest)
            .values("month")
            .annotate(
                sales=Sum("sales_amount"),
                quantity=Sum("sales_quantity"),
                collected=Sum("collected"),
                visits=Sum("visits"),
                new_customers=Sum("new_customers"),
            )
            .order_by()
        }
    for p in periods:
        for m in months_in(p.start, min(p.end, today)):
            row = monthly.get(m)
            if row:
                p.sales += row["sales"] or ZERO
                p.quantity += row["quantity"] or ZERO
                p.collected += row["collected"] or ZERO
                p.visits += row["visits"] or 0
                p.new_customers += row["new_customers"] or 0
    trend = []
    for m in months_in(trend_from, today):
        row = monthly.get(m, {})
        trend.append(
            {
                "month": m.strftime("%Y-%m"),
                "sales": row.get("sales") or ZERO,
                "collected": row.get("collected") or ZERO,
                "visits": row.get("visits") or 0,
            }
        )

    # People in the scope, targets, compliance.
    if scope.level == "salesperson":
        people = [scope.salesperson]
    elif scope.level == "customer":
        people = []
    else:
        pq = people_in_scope(user)
        if scope.level == "unit":
            pq = pq.filter(unit_id__in=scope.unit_ids)
        people = list(pq.only("id", "username", "full_name", "first_name", "last_name", "unit_id", "date_joined"))
    person_ids = [p.pk for p in people]
    if scope.level == "company":
        book = target_book(year_from=starts["year"], year_to=today, company=True, user_ids=person_ids)
        key = None if book.has(None) else ("units",)
    elif scope.level == "unit":
        book = target_book(year_from=starts["year"], year_to=today, unit_ids=scope.unit_ids, user_ids=person_ids)
        key = "units"
        for (k, ptype, start), amount in list(book._amounts.items()):
            if k in scope.unit_ids:
                book.add("units", ptype, start, amount)
    elif scope.level == "salesperson":
        book = target_book(year_from=starts["year"], year_to=today, user_ids=person_ids)
        key = ("sp", scope.salesperson.pk)
    else:
        book, key = TargetBook(), None
    cal = WorkingCalendar(starts["year"], period_bounds("year", starts["year"])[1])
    for p in periods:
        p.target = book.amount(key, p.key, p.start) if scope.level != "customer" else None
        if p.target:
            p.completion = pct(p.sales, p.target)
            days = cal.working_days(p.start, p.end)
            elapsed = len([d for d in days if d <= today])
            p.expected = round_money(p.target * Decimal(elapsed) / Decimal(len(days))) if days else p.target
            p.pace = pct(p.sales, p.expected)
    compliance_by_period = {}
    if people:
        # One report query for the whole year; each period is a slice of it.
        year_comp = compliance_slices(
            people=people,
            slices={k: (s, min(period_bounds(k, s)[1], today)) for k, s in starts.items()},
            now=now,
            cal=cal,
        )
        compliance_by_period = year_comp
        for p in periods:
            due = sum(c.due_days for c in year_comp[p.key].values())
            on = sum(c.on_time for c in year_comp[p.key].values())
            p.compliance = pct(on, due)

    selected = next(p for p in periods if p.key == period)

    # Ranking of salespeople in the selected period (one query + the people above).
    ranking = []
    if scope.level in ("company", "unit"):
        per_owner = {
            row["owner_id"]: row
            for row in _scoped(PerformanceMonthly.objects, scope, user)
            .filter(month__gte=selected.start, month__lte=selected.end)
            .values("owner_id")
            .annotate(sales=Sum("sales_amount"), collected=Sum("collected"), visits=Sum("visits"))
            .order_by()
        }
        comp = compliance_by_period.get(period, {})
        for person in people:
            row = per_owner.get(person.pk, {})
            target = book.amount(("sp", person.pk), period, selected.start)
            sales = row.get("sales") or ZERO
            ranking.append(
                {
                    "id": person.pk,
                    "name": person.get_full_name(),
                    "sales": sales,
                    "target": target,
                    "completion": pct(sales, target),
                    "collected": row.get("collected") or ZERO,
                    "visits": row.get("visits") or 0,
                    "compliance": comp[person.pk].rate if person.pk in comp else None,
                }
            )
        ranking.sort(key=lambda r: (-r["sales"], r["name"]))
        for n, row in enumerate(ranking, start=1):
            row["rank"] = n

    # Units (company level): sales per unit in the selected period (two queries).
    units = []
    if scope.level == "company":
        per_unit = dict(
            PerformanceMonthly.objects.visible_to(user)
            .filter(month__gte=selected.start, month__lte=selected.end)
            .values_list("unit_id")
            .annotate(s=Sum("sales_amount"))
            .order_by()
        )
        for u in SalesUnit.objects.order_by("code"):
            target = book.amount(u.pk, period, selected.start)
            sales = per_unit.get(u.pk) or ZERO
            units.append(
                {"id": u.pk, "name": u.name, "sales": sales, "target": target, "completion": pct(sales, target)}
            )

    # Top customers in the selected period: from the precomputed top ten (one query), or live for a manager of
    # several units or when the summary predates the period.
    top_customers = []
    if scope.level != "customer":
        summary = TopCustomerSummary.objects.filter(period_type=period, period_start=selected.start)
        if scope.level == "company":
            summary = summary.filter(unit__isnull=True, owner__isnull=True)
        elif scope.level == "unit" and len(scope.unit_ids) == 1:
            summary = summary.filter(unit_id=scope.unit_ids[0], owner__isnull=True)
        elif scope.level == "salesperson":
            summary = summary.filter(owner_id=scope.salesperson.pk, unit__isnull=True)
        else:
            summary = summary.none()
        rows = list(
            summary.order_by("rank").values(
                "customer_id", "customer__name", "customer__short_name", "amount", "quantity"
            )
        )
        if not rows:
            rows = list(
                _scoped(CustomerSalesMonthly.objects, scope, user)
                .filter(month__gte=selected.start, month__lte=selected.end)
                .values("customer_id", "customer__name", "customer__short_name")
                .annotate(amount=Sum("amount"), quantity=Sum("quantity"))
                .order_by("-amount", "customer_id")[:10]
            )
        top_customers = [
            {
                "id": r["customer_id"],
                "name": r["customer__short_name"] or r["customer__name"],
                "amount": r["amount"] or ZERO,
                "quantity": r["quantity"] or ZERO,
            }
            for r in rows
        ]

    # Open receivables by age (one query).
    by_bucket = {}
    if scope.level != "customer":
        by_bucket = {
            row["bucket"]: row
            for row in _scoped(ReceivableAgeSummary.objects, scope, user)
            .filter(as_of=today)
            .values("bucket")
            .annotate(amount=Sum("amount"), contracts=Sum("contracts"))
            .order_by()
        }
    if not by_bucket:
        by_bucket = _receivables_by_age_live(_scoped(ReceivableSnapshot.objects, scope, user), today)
    overdue = [
        {
            "key": k,
            "label": str(label),
            "amount": by_bucket.get(k, {}).get("amount") or ZERO,
            "contracts": by_bucket.get(k, {}).get("contracts") or 0,
        }
        for k, label, _lo, _hi in AGE_BUCKETS
    ]
    state = SummaryState.objects.filter(name="dashboard").first()
    return Dashboard(
        scope=scope,
        today=today,
        period=period,
        periods=periods,
        trend=trend,
        overdue=overdue,
        ranking=ranking,
        units=units,
        top_customers=top_customers,
        refreshed_at=state.refreshed_at if state else None,
    )


def _receivables_by_age_live(recv, today: dt.date) -> dict[str, dict]:
    whens = []
    for key_, _label, lo, hi in AGE_BUCKETS:
        if lo is None:
            whens.append(When(due_on__gte=today, then=Value(key_)))
        elif hi is None:
            whens.append(When(due_on__lte=today - dt.timedelta(days=lo), then=Value(key_)))
        else:
            whens.append(When(due_on__gte=today - dt.timedelta(days=hi), then=Value(key_)))
    return {
        row["bucket"]: row
        for row in recv.annotate(bucket=Case(*whens, output_field=CharField()))
        .values("bucket")
        .annotate(amount=Sum("outstanding"), contracts=Count("pk"))
        .order_by()
    }


def dashboard_period_label(period: str, today: dt.date) -> str:
    return period_label(period, {"month": month_start, "quarter": quarter_start, "year": year_start}[period](today))


def dashboard_cached(
    *, user: User, period: str = "month", unit_id=None, salesperson_id=None, customer_id=None
) -> Dashboard:
    """dashboard_data behind the cache, for the pages and the API. The key holds the user (and their role and
    unit, so a move takes effect at once), the drill-down, and the moment the summary tables were last rebuilt,
    so a refresh is visible immediately; the live parts (report compliance, targets) may lag by at most
    settings.REPORTS_DASHBOARD_CACHE_SECONDS (default 120 s; 0 disables the cache). One query on a hit."""
    seconds = getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 120)
    kwargs = {"period": period, "unit_id": unit_id, "salesperson_id": salesperson_id, "customer_id": customer_id}
    if not seconds:
        return dashboard_data(user=user, **kwargs)
    refreshed = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
    raw = "|".join(
        str(v)
        for v in (
            user.pk,
            user.role,
            user.unit_id,
            user.is_superuser,
            sorted(user.team_unit_ids) if user.is_manager else "",
            period,
            unit_id,
            salesperson_id,
            customer_id,
            refreshed.timestamp() if refreshed else "",
            timezone.localdate(),
        )
    )
    key = "reports:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = dashboard_data(user=user, **kwargs)
        cache.set(key, data, seconds)
    return data


@dataclass(frozen=True)
class PlanActuals:
    start: dt.date
    end: dt.date
    sales: Decimal
    visits: int
    sales_completion: Decimal | None
    visits_completion: Decimal | None


def plan_actuals(*, plan, now: dt.datetime | None = None) -> PlanActuals:
    """What the author actually sold and how many visits they made in the plan's week or month (so far)."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = period_bounds("week" if plan.kind == "weekly" else "month", plan.period_start)
    upto = min(end, today)
    sales = (
        Contract.objects.filter(
            owner_id=plan.author_id, status__in=SOLD, signed_on__gte=start, signed_on__lte=upto
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    t0, t1 = _dates_range(start, upto)
    visits = ContactLog.objects.filter(
        author_id=plan.author_id, kind=ContactKind.VISIT, happened_at__gte=t0, happened_at__lt=t1
    ).count()
    return PlanActuals(
        start=start,
        end=end,
        sales=sales,
        visits=visits,
        sales_completion=pct(sales, plan.sales_goal),
        visits_completion=pct(visits, plan.visits_goal),
    )


def month_summary_draft(*, author: User, month: dt.date) -> str:
    """A starting text for the monthly summary (月度總結): the month's figures from the evaluation."""
    f = evaluation_figures(user_ids=[author.pk], period_type="month", period_start=month)[author.pk]

    def money(v):
        return "—" if v is None else f"{v:,.0f}"

    def percent(v):
        return "—" if v is None else f"{v}%"

    return "\n".join(
        [
            f"{_('Sales')}: {money(f.sales_amount)} / {_('Target')}: {money(f.target_amount)} "
            f"({percent(f.completion)})",
            f"{_('Collected')}: {money(f.collections)} · {_('Overdue receivables')}: {money(f.overdue_amount)}",
            f"{_('Visits')}: {f.visits} · {_('Calls')}: {f.calls} · {_('New customers')}: {f.new_customers}",
            f"{_('Report compliance')}: {percent(f.report_compliance)}",
        ]
    )
