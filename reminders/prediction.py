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


def predict(stats: PurchaseStats, *, today: dt.date, lead_days: int, season: float = 1.0) -> ReorderPrediction | None:
    """The predicted run-out of one product at one customer, or None with fewer than two purchase days.

    `season` stretches or shrinks the interval for the time of year of the last purchase (see seasonal_factor:
    a product used faster in summer is reordered sooner after a June purchase); 1.0 = no season."""
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
    interval = max(1, round(days * season))
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


# Seasonality: a product's intervals that start in a given month, against all its intervals. Only with enough
# intervals in that month (across all customers), and clipped, so a thin or odd month changes nothing.
SEASON_MIN_INTERVALS = 8
SEASON_CLIP = (0.5, 2.0)


def season_factor(*, month_sum: int, month_count: int, all_sum: int, all_count: int) -> float:
    """The mean interval starting in one month over the mean interval of the product; 1.0 when too few."""
    if month_count < SEASON_MIN_INTERVALS or not all_count or not all_sum:
        return 1.0
    ratio = (month_sum / month_count) / (all_sum / all_count)
    return min(max(ratio, SEASON_CLIP[0]), SEASON_CLIP[1])


class SeasonalIndex:
    """Per product and month of the year, the mean interval between purchases that start in that month, over the
    product's mean interval — from intervals that ENDED before a given day only (so a back-test never peeks)."""

    def __init__(self, histories: dict[tuple[int, int], list[tuple[dt.date, Decimal]]]) -> None:
        import bisect

        self._bisect = bisect
        gaps: dict[int, list[tuple[dt.date, int, int]]] = {}
        for (_cid, pid), history in histories.items():
            days = sorted({d for d, _q in history})
            for a, b in itertools.pairwise(days):
                gaps.setdefault(pid, []).append((b, a.month, (b - a).days))
        # per product: end days sorted, with running sums overall and per month, for O(log n) lookups
        self._ends: dict[int, list[dt.date]] = {}
        self._sums: dict[int, list[tuple[int, int, list[int], list[int]]]] = {}
        for pid, rows in gaps.items():
            rows.sort()
            ends, sums = [], []
            total = count = 0
            by_month_sum = [0] * 13
            by_month_n = [0] * 13
            for end, month, gap in rows:
                total += gap
                count += 1
                by_month_sum[month] += gap
                by_month_n[month] += 1
                ends.append(end)
                sums.append((total, count, list(by_month_sum), list(by_month_n)))
            self._ends[pid], self._sums[pid] = ends, sums

    def factor(self, product_id: int, month: int, *, before: dt.date) -> float:
        ends = self._ends.get(product_id)
        if not ends:
            return 1.0
        i = self._bisect.bisect_left(ends, before) - 1
        if i < 0:
            return 1.0
        total, count, month_sum, month_n = self._sums[product_id][i]
        return season_factor(month_sum=month_sum[month], month_count=month_n[month], all_sum=total, all_count=count)


@dataclass(frozen=True)
class BacktestResult:
    pairs: int
    predictions: int
    mean_abs_error_days: float | None
    median_abs_error_days: float | None
    within_7_days: float | None
    baseline_mean_abs_error_days: float | None  # "last interval repeats" naive forecast
    mean_relative_error: float | None = None  # error / the real interval
    baseline_median_abs_error_days: float | None = None
    baseline_within_7_days: float | None = None

    def as_text(self) -> str:
        if not self.predictions:
            return f"{self.pairs} customer/product pairs with 3+ purchase days: nothing to back-test"
        return (
            f"{self.predictions} walk-forward predictions over {self.pairs} customer/product pairs: "
            f"mean absolute error {self.mean_abs_error_days:.1f} days, median {self.median_abs_error_days:.1f}, "
            f"{self.within_7_days:.0%} within 7 days, mean error {self.mean_relative_error:.0%} of the interval "
            f"(naive last-interval forecast: mean {self.baseline_mean_abs_error_days:.1f} days, median "
            f"{self.baseline_median_abs_error_days:.1f}, {self.baseline_within_7_days:.0%} within 7 days)"
        )


def backtest(
    histories: dict[tuple[int, int], list[tuple[dt.date, Decimal]]], *, seasonal: bool = True
) -> BacktestResult:
    """Walk forward through each history: predict purchase j from purchases before it, compare with the real day.
    With `seasonal`, the interval is adjusted by the product's season as known on the day of the prediction."""
    import statistics

    index = SeasonalIndex(histories) if seasonal else None

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
            season = index.factor(pid, days[j - 1].month, before=days[j - 1]) if index else 1.0
            p = predict(stats_from_history(cid, pid, known), today=days[j - 1], lead_days=0, season=season)
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
        baseline_median_abs_error_days=float(statistics.median(baseline)),
        baseline_within_7_days=sum(e <= 7 for e in baseline) / len(baseline),
    )


def generated_histories(
    *, customers: int = 400, products: int = 6, years: int = 3, seed: int = 7
) -> dict[tuple[int, int], list[tuple[dt.date, Decimal]]]:
    """A harder history than the demo's: each customer consumes at its own rate with day-to-day noise, buys
    varying quantities, sometimes late (a busy month) or early (a promotion), and half the products are seasonal
    (used 1.7 times faster from June to August, e.g. water filters). Deterministic for a seed."""
    import random

    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    end = start + dt.timedelta(days=365 * years)
    histories: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = {}
    for cid in range(1, customers + 1):
        for pid in rng.sample(range(1, products + 1), k=rng.randint(1, min(3, products))):
            seasonal = pid % 2 == 0
            daily_use = rng.uniform(0.5, 3.0)
            day = start + dt.timedelta(days=rng.randint(0, 90))
            history: list[tuple[dt.date, Decimal]] = []
            while day < end:
                qty = max(5, round(rng.gauss(60, 15)))
                history.append((day, Decimal(qty)))
                stock, cursor = float(qty), day
                while stock > 0:
                    summer = seasonal and cursor.month in (6, 7, 8)
                    stock -= daily_use * (1.7 if summer else 1.0) * rng.uniform(0.8, 1.2)
                    cursor += dt.timedelta(days=1)
                jitter = rng.choice([0, 0, 0, 0, 1, 2, 3, -1, -2, 10, -7])  # mostly on time, some late or early
                day = cursor + dt.timedelta(days=jitter)
            histories[(cid, pid)] = history
    return histories
