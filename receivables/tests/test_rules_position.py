"""What is due per shipment, retention apart, due dates and aging buckets (pure). Moved from the sales app's
old aging (30-day buckets from the shipping date), which the rule book corrects: a shipment is due 2 months
(policy) after its own shipping date, and ages from the day after."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receivables import rules

AS_OF = dt.date(2026, 6, 30)
POLICY = rules.Policy()


def pos(*, amount=D("1000.00"), retention=D("0"), retention_due_on=None, shipments=(), payments=(), invoices=()):
    terms = rules.Terms(1, amount, retention, retention_due_on)
    ships = [rules.ShipmentFact(i + 1, on, v) for i, (on, v) in enumerate(shipments)]
    pays = [rules.PaymentFact(i + 1, AS_OF, a, k) for i, (a, k) in enumerate(payments)]
    return rules.position(terms, ships, list(invoices), pays, AS_OF, POLICY)


@pytest.mark.parametrize(
    "days,bucket",
    [
        (-5, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "180+"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert rules.bucket_for(days, POLICY) == bucket
    assert rules.bucket_keys(POLICY) == ("current", "1-30", "31-60", "61-90", "91-180", "180+")


def test_due_date_is_the_grace_months_later_clamped_to_month_end():
    assert rules.due_on(dt.date(2026, 12, 31), POLICY) == dt.date(2027, 2, 28)
    assert rules.due_on(dt.date(2026, 1, 10), rules.Policy(grace_months=3)) == dt.date(2026, 4, 10)


def test_nothing_shipped_is_not_aged():
    r = pos(payments=[(D("200"), "prepayment")])
    assert r.balance == D("800.00") and r.unshipped == D("800.00") and r.shipped_open == 0 and r.overdue == 0


def test_partial_shipments_due_from_their_own_dates_oldest_paid_first():
    r = pos(
        shipments=[(AS_OF - dt.timedelta(days=95), D("400")), (AS_OF - dt.timedelta(days=10), D("600"))],
        payments=[(D("300"), "progress")],
    )
    # 400 shipped 27 March, due 27 May: 100 left, 34 days past due; 600 shipped 20 June, not yet due.
    assert [s.open for s in r.shipments] == [D("100.00"), D("600.00")]
    assert r.aging["31-60"] == D("100.00") and r.aging["current"] == D("600.00") and r.overdue == D("100.00")
    assert r.days_past_due == 34 and r.oldest_unpaid_shipment == AS_OF - dt.timedelta(days=95)
    assert r.next_due_on == dt.date(2026, 8, 20)


def test_retention_is_kept_apart_and_flagged_when_overdue():
    r = pos(
        retention=D("100"),
        retention_due_on=AS_OF - dt.timedelta(days=1),
        shipments=[(AS_OF - dt.timedelta(days=90), D("1000"))],
        payments=[(D("900"), "final")],
    )
    assert r.balance == D("100.00") and r.retention_outstanding == D("100.00")
    assert r.shipped_open == 0 and r.collected_except_retention and r.retention_overdue
    done = pos(
        retention=D("100"), shipments=[(AS_OF, D("1000"))], payments=[(D("900"), "final"), (D("100"), "retention")]
    )
    assert done.fully_paid and done.retention_outstanding == 0


def test_legacy_shipment_without_value_ships_the_whole_contract():
    r = pos(shipments=[(AS_OF - dt.timedelta(days=100), D("0"))])
    assert r.aging["31-60"] == D("1000.00")


money = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@settings(max_examples=200, deadline=None)
@given(
    amount=money,
    retention_share=st.decimals(min_value=D("0"), max_value=D("0.3"), places=2),
    shipped_shares=st.lists(st.decimals(min_value=D("0"), max_value=D("1"), places=2), max_size=4),
    paid_shares=st.lists(st.decimals(min_value=D("0"), max_value=D("0.5"), places=2), max_size=4),
    ages=st.lists(st.integers(min_value=0, max_value=400), min_size=4, max_size=4),
)
def test_position_invariants(amount, retention_share, shipped_shares, paid_shares, ages):
    retention = (amount * retention_share).quantize(D("0.01"))
    shipped, left = [], amount
    for share, age in zip(shipped_shares, ages, strict=False):
        value = min(left, (amount * share).quantize(D("0.01")))
        left -= value
        shipped.append((AS_OF - dt.timedelta(days=age), value))
    payments, due = [], amount - retention
    for share in paid_shares:
        pay = min(due, (amount * share).quantize(D("0.01")))
        due -= pay
        if pay > 0:
            payments.append((pay, "progress"))
    r = pos(amount=amount, retention=retention, shipments=shipped, payments=payments)
    assert r.balance == amount - sum(p for p, _ in payments)
    assert all(v >= 0 for v in r.aging.values()) and r.unshipped >= 0
    assert r.shipped_open + r.unshipped + r.retention_outstanding == r.balance
    assert r.retention_outstanding == min(retention, r.balance)
    assert r.overdue == sum(s.open for s in r.shipments if s.days_past_due > 0)
