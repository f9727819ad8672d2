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
