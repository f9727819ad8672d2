"""Targets and their progress: the target book, progress against the pace, splits by dimension."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone

from core.money import round_money
from sales.models import SOLD_STATUSES, Contract, ContractLine
from sales.selectors import method_labels

from ..calendar import WorkingCalendar, local_tz
from ..models import Dimension, Target, TargetLine
from ..periods import add_months, period_bounds, quarter_start, year_start
from ._common import ZERO, pct


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


def expected_by(amount: Decimal, *, days: list[dt.date], as_of: dt.date) -> Decimal:
    """The part of `amount` expected by `as_of`: pro rata of the working `days` of its period gone by then (the whole
    amount when the period has no working day)."""
    elapsed = len([d for d in days if d <= as_of])
    return round_money(amount * Decimal(elapsed) / Decimal(len(days))) if days else amount


def target_progress(*, target: Target, now: dt.datetime | None = None) -> TargetProgress:
    """Sales of the target's unit (or the company) in its period so far, against the whole and the pace."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = period_bounds(target.period_type, target.period_start)
    sold = Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=min(end, today))
    if target.unit_id:
        sold = sold.filter(unit_id=target.unit_id)
    actual = sold.aggregate(s=Sum("amount"))["s"] or ZERO
    expected = expected_by(target.amount, days=WorkingCalendar(start, end).working_days(), as_of=today)
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
    sold = Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=end)
    if target.unit_id:
        sold = sold.filter(unit_id=target.unit_id)
    actual: dict[str, dict] = {
        Dimension.SALESPERSON: dict(sold.values_list("owner_id").annotate(s=Sum("amount")).order_by()),
        Dimension.CUSTOMER: dict(sold.values_list("customer_id").annotate(s=Sum("amount")).order_by()),
        Dimension.REGION: dict(sold.values_list("customer__region").annotate(s=Sum("amount")).order_by()),
        Dimension.SETTLEMENT: dict(sold.values_list("settlement_method__code").annotate(s=Sum("amount")).order_by()),
        Dimension.SALES_METHOD: dict(sold.values_list("sales_method__code").annotate(s=Sum("amount")).order_by()),
    }
    labels = {
        Dimension.SETTLEMENT: method_labels("settlement") if any(ln.settlement_method for ln in lines) else {},
        Dimension.SALES_METHOD: method_labels("sales") if any(ln.sales_method for ln in lines) else {},
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
                Dimension.SETTLEMENT: ln.settlement_method,
                Dimension.SALES_METHOD: ln.sales_method,
            }.get(dim)
            act = actual[dim].get(key, ZERO) if dim in actual else None
            label = labels[dim].get(key, key) if dim in labels else ln.key_label
            rows.append(SplitRow(label=label, amount=ln.amount, actual=act, completion=pct(act, ln.amount)))
        assigned = sum((ln.amount for ln in mine), ZERO)
        views.append(
            SplitView(
                dimension=dim, label=str(label), rows=rows, assigned=assigned, unassigned=target.amount - assigned
            )
        )
    return views
