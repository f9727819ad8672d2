"""What a customer still owes for the credit limit (amount less payments). What is due and overdue when is the
receivables app's (receivables/tests)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales import selectors
from sales.models import ContractStatus, Payment
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


def test_open_receivables_for_credit(salesperson, finance):
    customer = CustomerFactory(owner=salesperson)
    signed = ContractFactory(customer=customer, status=ContractStatus.SIGNED, amount=D("1000"))
    ContractFactory(customer=customer, status=ContractStatus.DRAFT, amount=D("5000"))
    ContractFactory(customer=customer, status=ContractStatus.FILED, amount=D("300"))
    Payment.objects.create(contract=signed, paid_on=AS_OF, amount=D("400"), recorded_by=finance)
    assert selectors.customer_open_receivables(customer_id=customer.pk) == D("900")
