"""Fixtures shared by the sales service tests."""

from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory

from ..factories import priced_product


@pytest.fixture
def product():
    return priced_product(standard="1000.00", cost="500.00")


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
