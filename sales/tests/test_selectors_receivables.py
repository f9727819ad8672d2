"""Receivable, retention part and aging buckets (pure computation and the batched selector)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales import selectors
from sales.models import ContractStatus, Payment, PaymentKind, Shipment
from sales.selectors import bucket_for, compute_receivable
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    "days,bucket",
    [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")],
)
def test_bucket_boundaries(days, bucket):
    assert bucket_for(days) == bucket


def rec(**kw):
    base = dict(
        contract_id=1,
        amount=D("1000.00"),
        retention_amount=D("0"),
        retention_due_on=None,
        payments=[],
        shipments=[],
        as_of=AS_OF,
    )
    base.update(kw)
    return compute_receivable(**base)


def test_nothing_shipped_is_not_aged():
    r = rec(payments=[(D("200"), PaymentKind.PREPAYMENT)])
    assert r.balance == D("800.00") and r.unshipped == D("800.00") and sum(r.aging.values()) == 0


def test_partial_shipments_aged_from_their_dates_oldest_paid_first():
    r = rec(
        shipments=[(AS_OF - dt.timedelta(days=95), D("400")), (AS_OF - dt.timedelta(days=10), D("600"))],
        payments=[(D("300"), PaymentKind.PROGRESS)],
    )
    assert r.aging == {"0-30": D("600"), "31-60": D("0"), "61-90": D("0"), "90+": D("100")}
    assert r.unshipped == 0 and r.balance == D("700.00")


def test_retention_is_kept_apart_and_flagged_when_overdue():
    r = rec(
        retention_amount=D("100"),
        retention_due_on=AS_OF - dt.timedelta(days=1),
        shipments=[(AS_OF - dt.timedelta(days=40), D("1000"))],
        payments=[(D("900"), PaymentKind.FINAL)],
    )
    assert r.balance == D("100.00") and r.retention_outstanding == D("100.00")
    assert sum(r.aging.values()) == 0 and r.collected_except_retention and r.retention_overdue
    done = rec(
        retention_amount=D("100"),
        shipments=[(AS_OF, D("1000"))],
        payments=[(D("900"), PaymentKind.FINAL), (D("100"), PaymentKind.RETENTION)],
    )
    assert done.fully_paid and done.retention_outstanding == 0


def test_legacy_shipment_without_value_ships_the_whole_contract():
    r = rec(shipments=[(AS_OF - dt.timedelta(days=70), D("0"))])
    assert r.aging["61-90"] == D("1000.00")


def test_aged_parts_and_retention_always_add_up_to_balance():
    r = rec(
        amount=D("999.99"),
        retention_amount=D("33.33"),
        shipments=[(AS_OF - dt.timedelta(days=d), D("333.33")) for d in (100, 50, 5)],
        payments=[(D("123.45"), PaymentKind.PROGRESS)],
    )
    assert sum(r.aging.values()) + r.unshipped + r.retention_outstanding == r.balance


def test_receivables_aging_selector_respects_visibility(
    salesperson, other_salesperson, gm, django_assert_max_num_queries
):
    mine = []
    for owner in (salesperson, other_salesperson):
        customer = CustomerFactory(owner=owner)
        for _ in range(5):
            c = ContractFactory(customer=customer, status=ContractStatus.SIGNED, amount=D("1000"))
            Shipment.objects.create(contract=c, shipped_on=AS_OF - dt.timedelta(days=45), amount=D("1000"))
            if owner == salesperson:
                mine.append(c)
    with django_assert_max_num_queries(3):
        summary = selectors.receivables_aging(user=salesperson, as_of=AS_OF)
    assert {c.pk for c, _ in summary.rows} == {c.pk for c in mine}
    assert summary.totals["31-60"] == D("5000") and summary.balance == D("5000")
    assert selectors.receivables_aging(user=gm, as_of=AS_OF).balance == D("10000")


def test_open_receivables_for_credit(salesperson, finance):
    customer = CustomerFactory(owner=salesperson)
    signed = ContractFactory(customer=customer, status=ContractStatus.SIGNED, amount=D("1000"))
    ContractFactory(customer=customer, status=ContractStatus.DRAFT, amount=D("5000"))
    ContractFactory(customer=customer, status=ContractStatus.FILED, amount=D("300"))
    Payment.objects.create(contract=signed, paid_on=AS_OF, amount=D("400"), recorded_by=finance)
    assert selectors.customer_open_receivables(customer_id=customer.pk) == D("900")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

money = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@settings(max_examples=200, deadline=None)
@given(
    amount=money,
    retention_share=st.decimals(min_value=D("0"), max_value=D("0.3"), places=2),
    shipped_shares=st.lists(st.decimals(min_value=D("0"), max_value=D("1"), places=2), max_size=4),
    paid_shares=st.lists(st.decimals(min_value=D("0"), max_value=D("0.5"), places=2), max_size=4),
    ages=st.lists(st.integers(min_value=0, max_value=400), min_size=4, max_size=4),
)
def test_receivable_invariants(amount, retention_share, shipped_shares, paid_shares, ages):
    retention = (amount * retention_share).quantize(D("0.01"))
    shipped, left = [], amount
    for share, age in zip(shipped_shares, ages, strict=False):
        value = min(left, (amount * share).quantize(D("0.01")))
        left -= value
        shipped.append((AS_OF - dt.timedelta(days=age), value))
    shipped.sort()
    payments, due = [], amount - retention
    for share in paid_shares:
        pay = min(due, (amount * share).quantize(D("0.01")))
        due -= pay
        if pay > 0:
            payments.append((pay, PaymentKind.PROGRESS))
    r = rec(amount=amount, retention_amount=retention, shipments=shipped, payments=payments)
    assert r.balance == amount - sum(p for p, _ in payments)
    assert all(v >= 0 for v in r.aging.values()) and r.unshipped >= 0
    assert sum(r.aging.values()) + r.unshipped + r.retention_outstanding == r.balance
    assert r.retention_outstanding == min(retention, r.balance)
