"""Reorder prediction from a customer's own purchase history (pure functions, no ORM).

Input is the per (customer, product) summary computed in SQL by selectors.reorder_stats(): number of purchase
days, first and last purchase, the median interval between purchases, the quantities. The estimate:

* the **median interval** between purchase days (robust to one rushed or one late order);
* where quantities vary (coefficient of variation above QUANTITY_CV_THRESHOLD) the **consumption rate**
  instead: everything bought before the last purchase was used up between the first and the last purchase,
  so rate = (total - last quantity) / (last - first) per day, and the last purchase lasts last_quantity / rate;
* run-out date = last purchase + that many days; remind `lead_days` before it;
* a customer is **lapsed** when the run-out date passed by more than one interval (at least LAPSED_MIN_DAYS)
  with no new order: no restock reminder then (the card shows it as lapsed).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

QUANTITY_CV_THRESHOLD = 0.25
LAPSED_MIN_DAYS = 14


@dataclass(frozen=True)
class PurchaseStats:
    customer_id: int
    product_id: int
    purchases: int
    first_on: dt.date
    last_on: dt.date
    median_interval: float
    total_quantity: Decimal
    last_quantity: Decimal
    mean_quantity: Decimal
    stddev_quantity: Decimal | None


@dataclass(frozen=True)
class ReorderPrediction:
    customer_id: int
    product_id: int
    purchases: int
    last_on: dt.date
    interval_days: int
    method: str  # "interval" or "consumption"
    expected_on: dt.date
    remind_on: dt.date
    lapsed: bool

    @property
    def is_due(self) -> bool:
        return not self.lapsed


def predict(stats: PurchaseStats, *, today: dt.date, lead_days: int) -> ReorderPrediction | None:
    """The predicted run-out of one product at one customer, or None with fewer than two purchase days."""
    if stats.purchases < 2 or stats.median_interval is None or stats.median_interval <= 0:
        return None
    median = float(stats.median_interval)
    days = median
    method = "interval"
    span = (stats.last_on - stats.first_on).days
    mean = float(stats.mean_quantity or 0)
    cv = float(stats.stddev_quantity or 0) / mean if mean > 0 else 0.0
    used_before_last = float(stats.total_quantity - stats.last_quantity)
    if cv > QUANTITY_CV_THRESHOLD and span > 0 and used_before_last > 0:
        rate = used_before_last / span
        days = float(stats.last_quantity) / rate
        method = "consumption"
        # a single huge order must not push the prediction years out: cap at 4 median intervals
        days = max(1.0, min(days, 4 * median))
    interval = max(1, round(days))
    expected = stats.last_on + dt.timedelta(days=interval)
    lapsed = today > expected + dt.timedelta(days=max(interval, LAPSED_MIN_DAYS))
    return ReorderPrediction(
        customer_id=stats.customer_id,
        product_id=stats.product_id,
        purchases=stats.purchases,
        last_on=stats.last_on,
        interval_days=interval,
        method=method,
        expected_on=expected,
        remind_on=expected - dt.timedelta(days=lead_days),
        lapsed=lapsed,
    )


def stats_from_history(customer_id: int, product_id: int, history: list[tuple[dt.date, Decimal]]) -> PurchaseStats:
    """The same statistics as selectors.reorder_stats() computes in SQL, from (day, quantity) pairs."""
    import statistics

    by_day: dict[dt.date, Decimal] = {}
    for day, qty in history:
        by_day[day] = by_day.get(day, Decimal(0)) + Decimal(qty)
    days = sorted(by_day)
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    quantities = [by_day[d] for d in days]
    return PurchaseStats(
        customer_id=customer_id,
        product_id=product_id,
        purchases=len(days),
        first_on=days[0],
        last_on=days[-1],
        median_interval=float(statistics.median(gaps)) if gaps else None,
        total_quantity=sum(quantities, Decimal(0)),
        last_quantity=quantities[-1],
        mean_quantity=sum(quantities, Decimal(0)) / len(quantities),
        stddev_quantity=Decimal(statistics.stdev(quantities)) if len(quantities) > 1 else None,
    )


@dataclass(frozen=True)
class BacktestResult:
    pairs: int
    predictions: int
    mean_abs_error_days: float | None
    median_abs_error_days: float | None
    within_7_days: float | None
    baseline_mean_abs_error_days: float | None  # "last interval repeats" naive forecast
    mean_relative_error: float | None = None  # error / the real interval

    def as_text(self) -> str:
        if not self.predictions:
            return f"{self.pairs} customer/product pairs with 3+ purchase days: nothing to back-test"
        return (
            f"{self.predictions} walk-forward predictions over {self.pairs} customer/product pairs: "
            f"mean absolute error {self.mean_abs_error_days:.1f} days, median {self.median_abs_error_days:.1f}, "
            f"{self.within_7_days:.0%} within 7 days, mean error {self.mean_relative_error:.0%} of the interval "
            f"(naive last-interval forecast: "
            f"{self.baseline_mean_abs_error_days:.1f} days)"
        )


def backtest(histories: dict[tuple[int, int], list[tuple[dt.date, Decimal]]]) -> BacktestResult:
    """Walk forward through each history: predict purchase j from purchases before it, compare with the real day."""
    import statistics

    errors: list[int] = []
    relative: list[float] = []
    baseline: list[int] = []
    pairs = 0
    for (cid, pid), history in histories.items():
        days = sorted({d for d, _q in history})
        if len(days) < 3:
            continue
        pairs += 1
        for j in range(2, len(days)):
            known = [(d, q) for d, q in history if d < days[j]]
            p = predict(stats_from_history(cid, pid, known), today=days[j - 1], lead_days=0)
            if p is None:
                continue
            errors.append(abs((p.expected_on - days[j]).days))
            relative.append(errors[-1] / max(1, (days[j] - days[j - 1]).days))
            naive = days[j - 1] + (days[j - 1] - days[j - 2])
            baseline.append(abs((naive - days[j]).days))
    if not errors:
        return BacktestResult(pairs, 0, None, None, None, None)
    return BacktestResult(
        pairs=pairs,
        predictions=len(errors),
        mean_abs_error_days=statistics.fmean(errors),
        median_abs_error_days=float(statistics.median(errors)),
        within_7_days=sum(e <= 7 for e in errors) / len(errors),
        baseline_mean_abs_error_days=statistics.fmean(baseline),
        mean_relative_error=statistics.fmean(relative),
    )
