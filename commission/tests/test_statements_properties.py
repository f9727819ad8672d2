"""Hypothesis through the whole pipeline: database rows -> monthly statements, month by month."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from commission.selectors import build_statements
from core import periods
from sales.models import PaymentKind

from .factories import PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 1)


def released_in(user, month) -> Decimal:
    found = build_statements(people_qs=User.objects.filter(pk=user.pk), month=month)
    return Decimal(found[0]["totals"]["released"]) if found else Decimal(0)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    with_retention=st.booleans(),
    cuts=st.lists(st.integers(1, 99), max_size=3, unique=True).map(sorted),
    days=st.lists(st.integers(0, 150), min_size=5, max_size=5).map(sorted),
    pay_all=st.booleans(),
)
def test_released_over_all_months_equals_earned_and_never_early(salesperson, with_retention, cuts, days, pay_all):
    with transaction.atomic():
        sid = transaction.savepoint()
        retention = Decimal("1200.00") if with_retention else Decimal("0")
        contract = sold_contract(owner=salesperson, retention=str(retention), shipped_on=None)
        body = contract.amount - retention
        bounds = [Decimal(0), *[body * c / 100 for c in cuts], body]
        parts = [(b - a).quantize(Decimal("0.01")) for a, b in itertools.pairwise(bounds)]
        parts[-1] = body - sum(parts[:-1])
        if not pay_all:
            parts = parts[:-1]
        paid_days = [JAN + dt.timedelta(days=d) for d in days]
        for amount, day in zip(parts, paid_days, strict=False):
            if amount > 0:
                PaymentFactory(contract=contract, paid_on=day, amount=amount)
        if with_retention and pay_all:
            PaymentFactory(contract=contract, paid_on=paid_days[-1], amount=retention, kind=PaymentKind.RETENTION)
        total = Decimal(0)
        collected_body = Decimal(0)
        for month in periods.months_in(JAN, dt.date(2026, 7, 31)):
            released = released_in(salesperson, month)
            collected_body = sum(
                (a for a, d in zip(parts, paid_days, strict=False) if d <= periods.month_end(month)), Decimal(0)
            )
            if released:
                assert collected_body >= body  # never before the non-retention part is collected
            total += released
        if pay_all:
            assert total == Decimal("1000.00")
        else:
            assert total == Decimal("0")
        transaction.savepoint_rollback(sid)
