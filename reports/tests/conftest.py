"""Fixtures shared by the reports tests."""

import datetime as dt
from decimal import Decimal

import pytest

from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import CalendarDay, Dimension, TargetLine
from sales.models import Payment, Shipment
from sales.tests.factories import ContractFactory, ContractLineFactory

from .clock import at
from .factories import DailyReportFactory, TargetFactory


@pytest.fixture
def book(salesperson, manager, finance):
    """A hand-computed November 2026 for one salesperson (figures in the test below)."""
    sp = salesperson
    sp.date_joined = at(2026, 1, 1)
    sp.save()
    c1 = CustomerFactory(owner=sp, registered_at=at(2026, 9, 1))
    c2 = CustomerFactory(owner=sp, registered_at=at(2026, 11, 4))
    a = ContractFactory(
        customer=c1,
        status="signed",
        signed_on=dt.date(2026, 11, 3),
        amount=Decimal("100000"),
        retention_amount=Decimal("10000"),
    )
    ContractLineFactory(contract=a, quantity=Decimal("10"), unit_price=Decimal("10000"))
    b = ContractFactory(customer=c1, status="filed", signed_on=dt.date(2026, 10, 5), amount=Decimal("50000"))
    Shipment.objects.create(contract=b, shipped_on=dt.date(2026, 10, 6))
    ContractFactory(customer=c2, status="draft", signed_on=dt.date(2026, 11, 10), amount=Decimal("70000"))
    ContractFactory(customer=c2, status="cancelled", signed_on=dt.date(2026, 11, 12), amount=Decimal("90000"))
    e = ContractFactory(customer=c2, status="filed", signed_on=dt.date(2026, 8, 1), amount=Decimal("80000"))
    Shipment.objects.create(contract=e, shipped_on=dt.date(2026, 8, 10))
    Shipment.objects.create(contract=e, shipped_on=dt.date(2026, 9, 10))
    pay = {"recorded_by": finance}
    Payment.objects.create(contract=a, paid_on=dt.date(2026, 11, 5), amount=Decimal("30000"), kind="prepayment", **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 11, 2), amount=Decimal("20000"), **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 10, 20), amount=Decimal("10000"), **pay)
    Payment.objects.create(contract=e, paid_on=dt.date(2026, 9, 1), amount=Decimal("30000"), **pay)
    for when in (at(2026, 11, 1, 0, 30), at(2026, 11, 3), at(2026, 11, 12)):
        ContactLogFactory(customer=c1, kind=ContactKind.VISIT, happened_at=when)
    ContactLogFactory(customer=c1, kind=ContactKind.CALL, happened_at=at(2026, 11, 4))
    ContactLogFactory(customer=c1, kind=ContactKind.VISIT, happened_at=at(2026, 10, 31, 23, 30))
    CalendarDay.objects.create(date=dt.date(2026, 11, 11), is_working=False, name="holiday")
    for d in (2, 3, 4, 5, 6, 16):
        DailyReportFactory(author=sp, date=dt.date(2026, 11, d))
    late = DailyReportFactory(author=sp, date=dt.date(2026, 11, 9))
    late.submitted_at = late.deadline + dt.timedelta(hours=1)
    late.save()
    target = TargetFactory(created_by=manager, amount=Decimal("1000000"))
    TargetLine.objects.create(target=target, dimension=Dimension.SALESPERSON, salesperson=sp, amount=Decimal("200000"))
    return sp
