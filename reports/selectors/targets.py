"""Targets and their progress: the target book, progress against the pace, splits by dimension."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum, Value
from django.utils import timezone

from core.money import round_money
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, ContractLine, Payment
from sales.selectors import method_labels

from ..calendar import WorkingCalendar, local_tz
from ..models import Dimension, Target, TargetKind, TargetLine
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


def target_book(
    *,
    year_from: dt.date,
    year_to: dt.date,
    user_ids=None,
    unit_ids=None,
    company=False,
    kind: str = TargetKind.SALES,
) -> TargetBook:
    """Targets of one kind (sales or collection) of the given units/company and salesperson split lines of the
    given people (one query)."""
    return target_books(
        year_from=year_from, year_to=year_to, user_ids=user_ids, unit_ids=unit_ids, company=company, kinds=(kind,)
    )[kind]


def target_books(
    *,
    year_from: dt.date,
    year_to: dt.date,
    user_ids=None,
    unit_ids=None,
    company=False,
    kinds=tuple(TargetKind.values),
) -> dict[str, TargetBook]:
    """One book per target kind (sales, collection) of the given units/company and salesperson split lines of the
    given people, in one query."""
    books = {kind: TargetBook() for kind in kinds}
    units_q = Q(pk__in=[])
    if unit_ids is not None:
        units_q |= Q(unit_id__in=list(unit_ids))
    if company:
        units_q |= Q(unit__isnull=True) | Q(unit__isnull=False)
    # One query: the targets (`line` 0, keyed by unit) and, with people, their salesperson split lines (`line` 1,
    # keyed by person), unordered (the book sums them).
    rows = (
        Target.objects.filter(units_q, kind__in=list(kinds), period_start__gte=year_from, period_start__lte=year_to)
        .annotate(line=Value(0))
        .values_list("line", "kind", "unit_id", "period_type", "period_start", "amount")
        .order_by()
    )
    if user_ids:
        rows = rows.union(
            TargetLine.objects.filter(
                dimension=Dimension.SALESPERSON,
                target__kind__in=list(kinds),
                salesperson_id__in=list(user_ids),
                target__period_start__gte=year_from,
                target__period_start__lte=year_to,
            )
            .annotate(line=Value(1))
            .values_list(
                "line", "target__kind", "salesperson_id", "target__period_type", "target__period_start", "amount"
            )
            .order_by(),
            all=True,
        )
    for line, kind, key, ptype, start, amount in rows:
        if line:
            books[kind].add(("sp", key), ptype, start, amount)
            continue
        books[kind].add(key, ptype, start, amount)
        if company and key is not None:
            books[kind].add(("units",), ptype, start, amount)
    return books


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


def collected_in(*, start: dt.date, end: dt.date, unit_id: int | None = None) -> QuerySet[Payment]:
    """Cash collected (回款): payments received from `start` to `end` (all kinds, retention included), of one unit
    or the whole company. The one definition behind collection targets (no overdue or ageing rule here)."""
    paid = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    return paid.filter(contract__unit_id=unit_id) if unit_id else paid


def _sold_in(*, start: dt.date, end: dt.date, unit_id: int | None) -> QuerySet[Contract]:
    sold = Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=end)
    return sold.filter(unit_id=unit_id) if unit_id else sold


def returned_in(*, start: dt.date, end: dt.date, unit_id: int | None = None):
    """Approved returns (退貨) counted from `start` to `end` (the day each was approved), of one unit or the
    company: they lower the sales of the month they are approved in, never the month the contract was signed."""
    rows = sales_selectors.approved_returns().filter(
        decided_on__gte=start, decided_on__lte=end, contract__status__in=SOLD_STATUSES
    )
    return rows.filter(contract__unit_id=unit_id) if unit_id else rows


def sales_in(*, start: dt.date, end: dt.date, unit_id: int | None = None) -> Decimal:
    """Net sales of a period: contracts signed in it less the returns approved in it."""
    signed = _sold_in(start=start, end=end, unit_id=unit_id).aggregate(s=Sum("amount"))["s"] or ZERO
    returned = returned_in(start=start, end=end, unit_id=unit_id).aggregate(s=Sum("amount"))["s"] or ZERO
    return signed - returned


def target_progress(*, target: Target, now: dt.datetime | None = None) -> TargetProgress:
    """Sales (or, for a collection target, cash collected) of the target's unit (or the company) in its period so
    far, against the whole and the pace. Sales are net of the returns approved in the period."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = period_bounds(target.period_type, target.period_start)
    if target.is_collection:
        rows = collected_in(start=start, end=min(end, today), unit_id=target.unit_id)
        actual = rows.aggregate(s=Sum("amount"))["s"] or ZERO
    else:
        actual = sales_in(start=start, end=min(end, today), unit_id=target.unit_id)
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
    if target.is_collection:
        actual = _collection_by_dimension(collected_in(start=start, end=end, unit_id=target.unit_id))
    else:
        actual = _sales_by_dimension(
            _sold_in(start=start, end=end, unit_id=target.unit_id),
            returned_in(start=start, end=end, unit_id=target.unit_id),
        )
    labels = {
        Dimension.SETTLEMENT: method_labels("settlement") if any(ln.settlement_method for ln in lines) else {},
        Dimension.SALES_METHOD: method_labels("sales") if any(ln.sales_method for ln in lines) else {},
    }
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


def _sales_by_dimension(sold: QuerySet[Contract], returned) -> dict[str, dict]:
    """Sales per salesperson, customer, region, settlement and sales method, product (order-line amounts), less
    the returns approved in the period (the amount credited, per the returned line's product)."""
    actual: dict[str, dict] = {
        Dimension.SALESPERSON: dict(sold.values_list("owner_id").annotate(s=Sum("amount")).order_by()),
        Dimension.CUSTOMER: dict(sold.values_list("customer_id").annotate(s=Sum("amount")).order_by()),
        Dimension.REGION: dict(sold.values_list("customer__region").annotate(s=Sum("amount")).order_by()),
        Dimension.SETTLEMENT: dict(sold.values_list("settlement_method__code").annotate(s=Sum("amount")).order_by()),
        Dimension.SALES_METHOD: dict(sold.values_list("sales_method__code").annotate(s=Sum("amount")).order_by()),
    }
    line_sales = ContractLine.objects.filter(contract__in=sold)
    actual[Dimension.PRODUCT] = dict(
        line_sales.values_list("product_id").annotate(s=Sum(F("quantity") * F("unit_price"))).order_by()
    )
    by_return = {
        Dimension.SALESPERSON: "contract__owner_id",
        Dimension.CUSTOMER: "contract__customer_id",
        Dimension.REGION: "contract__customer__region",
        Dimension.SETTLEMENT: "contract__settlement_method__code",
        Dimension.SALES_METHOD: "contract__sales_method__code",
        Dimension.PRODUCT: "contract_line__product_id",
    }
    for dim, path in by_return.items():
        for key, amount in returned.values_list(path).annotate(s=Sum("amount")).order_by():
            actual[dim][key] = actual[dim].get(key, ZERO) - amount
    return actual


def _collection_by_dimension(paid: QuerySet[Payment]) -> dict[str, dict]:
    """Cash collected per salesperson (the contract's owner), customer, region, method and product. A payment
    names a contract, not a product: it is shared among the contract's products in proportion to their line
    amounts (quantity × unit price ÷ contract amount), rounded half up to the cent per product."""
    actual: dict[str, dict] = {
        Dimension.SALESPERSON: dict(paid.values_list("contract__owner_id").annotate(s=Sum("amount")).order_by()),
        Dimension.CUSTOMER: dict(paid.values_list("contract__customer_id").annotate(s=Sum("amount")).order_by()),
        Dimension.REGION: dict(paid.values_list("contract__customer__region").annotate(s=Sum("amount")).order_by()),
        Dimension.SETTLEMENT: dict(
            paid.values_list("contract__settlement_method__code").annotate(s=Sum("amount")).order_by()
        ),
        Dimension.SALES_METHOD: dict(
            paid.values_list("contract__sales_method__code").annotate(s=Sum("amount")).order_by()
        ),
    }
    share = F("amount") * F("contract__lines__quantity") * F("contract__lines__unit_price") / F("contract__amount")
    actual[Dimension.PRODUCT] = {
        product_id: round_money(s)
        for product_id, s in paid.filter(contract__amount__gt=0, contract__lines__isnull=False)
        .values_list("contract__lines__product_id")
        .annotate(s=Sum(share))
        .order_by()
    }
    return actual
