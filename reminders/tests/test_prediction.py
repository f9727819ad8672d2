import datetime as dt
from decimal import Decimal

import pytest

from customers.tests.factories import CustomerFactory
from reminders.prediction import PurchaseStats, predict
from reminders.selectors import customer_reorder_predictions, reorder_stats
from sales.models import ContractStatus
from sales.tests.factories import ProductFactory

from .factories import purchase

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 1)


def _history(dates, quantities=None):
    customer = CustomerFactory()
    product = ProductFactory()
    for i, d in enumerate(dates):
        purchase(customer, product, d, quantity=(quantities[i] if quantities else "10"))
    return customer, product


def test_regular_history_uses_the_interval():
    start = dt.date(2026, 6, 1)
    customer, product = _history([start + dt.timedelta(days=41 * i) for i in range(4)])
    [item] = customer_reorder_predictions(customer_id=customer.pk, today=TODAY)
    p = item.prediction
    assert item.product == product
    assert p.interval_days == 41
    assert p.method == "interval"
    assert p.last_on == start + dt.timedelta(days=123)
    assert p.expected_on == start + dt.timedelta(days=164)
    assert p.remind_on == p.expected_on - dt.timedelta(days=7)
    assert not p.lapsed


def test_irregular_history_median_ignores_one_outlier():
    # gaps 30, 31, 120 (one long pause), 29: median 30.5 -> 30 or 31, far from the mean of 52
    dates = [dt.date(2026, 1, 1)]
    for gap in (30, 31, 120, 29):
        dates.append(dates[-1] + dt.timedelta(days=gap))
    customer, _ = _history(dates)
    [item] = customer_reorder_predictions(customer_id=customer.pk, today=dates[-1])
    assert item.prediction.interval_days in (30, 31)


def test_varying_quantities_use_consumption_per_day():
    # 10 units, 30 days later 20 units, 60 days later 40 units: uses ~1/3 unit a day... last 40 lasts ~ 120 days,
    # capped at 4 x the median interval (45 days) = 180
    d0 = dt.date(2026, 1, 1)
    customer, _ = _history([d0, d0 + dt.timedelta(days=30), d0 + dt.timedelta(days=90)], ["10", "20", "40"])
    [item] = customer_reorder_predictions(customer_id=customer.pk, today=d0 + dt.timedelta(days=90))
    p = item.prediction
    assert p.method == "consumption"
    # consumed 30 units over 90 days = 1/3 per day; 40 units last 120 days
    assert p.interval_days == 120
    assert p.expected_on == d0 + dt.timedelta(days=210)


def test_single_purchase_gives_no_prediction():
    customer, _ = _history([dt.date(2026, 5, 1)])
    assert customer_reorder_predictions(customer_id=customer.pk, today=TODAY) == []
    assert list(reorder_stats(customer_id=customer.pk)) == []


def test_two_orders_on_the_same_day_are_one_purchase():
    customer, _ = _history([dt.date(2026, 5, 1), dt.date(2026, 5, 1)])
    assert customer_reorder_predictions(customer_id=customer.pk, today=TODAY) == []


def test_lapsed_customer_is_flagged():
    customer, _ = _history([dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)])
    [item] = customer_reorder_predictions(customer_id=customer.pk, today=TODAY)
    assert item.prediction.lapsed
    assert item.prediction.expected_on < TODAY


def test_drafts_and_cancelled_orders_do_not_count():
    customer = CustomerFactory()
    product = ProductFactory()
    purchase(customer, product, dt.date(2026, 5, 1))
    purchase(customer, product, dt.date(2026, 6, 1), status=ContractStatus.DRAFT)
    purchase(customer, product, dt.date(2026, 7, 1), status=ContractStatus.CANCELLED)
    assert customer_reorder_predictions(customer_id=customer.pk, today=TODAY) == []


def test_pure_prediction_caps_a_huge_last_order():
    stats = PurchaseStats(
        customer_id=1,
        product_id=1,
        purchases=3,
        first_on=dt.date(2026, 1, 1),
        last_on=dt.date(2026, 3, 2),
        median_interval=30.0,
        total_quantity=Decimal("1020"),
        last_quantity=Decimal("1000"),
        mean_quantity=Decimal("340"),
        stddev_quantity=Decimal("571"),
    )
    p = predict(stats, today=dt.date(2026, 3, 2), lead_days=7)
    assert p.method == "consumption"
    assert p.interval_days == 120  # 4 x median, not 3,000 days


def test_sql_and_python_statistics_agree():
    from reminders.prediction import stats_from_history

    d0 = dt.date(2026, 1, 1)
    dates = [d0, d0 + dt.timedelta(days=30), d0 + dt.timedelta(days=75), d0 + dt.timedelta(days=100)]
    customer, product = _history(dates, ["10", "12", "30", "8"])
    [sql] = list(reorder_stats(customer_id=customer.pk))
    quantities = ["10", "12", "30", "8"]
    py = stats_from_history(customer.pk, product.pk, [(d, Decimal(q)) for d, q in zip(dates, quantities, strict=True)])
    assert sql.median_interval == py.median_interval == 30
    assert sql.total_quantity == py.total_quantity
    assert sql.last_quantity == py.last_quantity
    assert abs(float(sql.stddev_quantity) - float(py.stddev_quantity)) < 1e-6


def test_backtest_on_regular_and_irregular_histories():
    from reminders.prediction import backtest

    d0 = dt.date(2026, 1, 1)
    regular = [(d0 + dt.timedelta(days=30 * i), Decimal(10)) for i in range(6)]
    result = backtest({(1, 1): regular})
    assert result.pairs == 1 and result.predictions == 4
    assert result.mean_abs_error_days == 0
    assert result.within_7_days == 1
    # one long pause: the median forecast recovers at once, the naive one is thrown off twice
    gaps = [30, 30, 90, 30, 30, 30]
    days = [d0]
    for g in gaps:
        days.append(days[-1] + dt.timedelta(days=g))
    result = backtest({(1, 1): [(d, Decimal(10)) for d in days]})
    assert result.mean_abs_error_days < result.baseline_mean_abs_error_days
    single = backtest({(1, 1): [(d0, Decimal(1))]})
    assert single.predictions == 0


def test_seasonality_shortens_the_summer_interval_and_needs_enough_intervals():
    import datetime as dt
    from decimal import Decimal

    from reminders.prediction import SEASON_MIN_INTERVALS, PurchaseStats, SeasonalIndex, predict, season_factor

    assert season_factor(month_sum=200, month_count=SEASON_MIN_INTERVALS - 1, all_sum=30, all_count=1) == 1.0
    assert season_factor(month_sum=8 * 20, month_count=8, all_sum=40 * 30, all_count=40) == pytest.approx(20 / 30)
    assert season_factor(month_sum=8 * 300, month_count=8, all_sum=8 * 30, all_count=8) == 2.0  # clipped
    stats = PurchaseStats(
        1, 1, 3, dt.date(2027, 4, 1), dt.date(2027, 6, 1), 30.0, Decimal(30), Decimal(10), Decimal(10), Decimal(0)
    )
    assert predict(stats, today=dt.date(2027, 6, 2), lead_days=0, season=0.5).expected_on == dt.date(2027, 6, 16)
    # the index only knows intervals that ended before the day asked about
    histories = {(c, 1): [(dt.date(2026, 6, 1), Decimal(1)), (dt.date(2026, 6, 16), Decimal(1))] for c in range(10)}
    histories.update(
        {(c, 1): [(dt.date(2026, 1, 1), Decimal(1)), (dt.date(2026, 2, 15), Decimal(1))] for c in range(10, 20)}
    )
    index = SeasonalIndex(histories)
    assert index.factor(1, 6, before=dt.date(2026, 6, 10)) == 1.0
    assert index.factor(1, 6, before=dt.date(2026, 7, 1)) < 1.0


def test_seasonal_model_beats_the_naive_baseline_on_the_generated_history():
    from reminders.prediction import backtest, generated_histories

    histories = generated_histories(customers=60, seed=3)
    seasonal, plain = backtest(histories, seasonal=True), backtest(histories, seasonal=False)
    assert seasonal.within_7_days > seasonal.baseline_within_7_days
    assert seasonal.median_abs_error_days <= plain.median_abs_error_days
