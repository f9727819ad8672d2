"""Fixtures shared by the sales API tests."""

from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales import services
from sales.services import LineInput

from ..factories import authority, priced_product


@pytest.fixture
def product():
    return priced_product(standard="1000.00", cost="900.00")


@pytest.fixture
def contract(salesperson, product):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    authority(salesperson, "5")
    c = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("2"), discount_percent=D("10"))],
    )
    return services.contract_submit(actor=salesperson, contract=c)
