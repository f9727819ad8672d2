"""Fixtures shared by every app's tests."""

import pytest

from accounts.tests.factories import (
    AdminFactory,
    FinanceFactory,
    GMFactory,
    ManagerFactory,
    SalespersonFactory,
    SalesUnitFactory,
)


@pytest.fixture
def unit():
    return SalesUnitFactory()


@pytest.fixture
def other_unit():
    return SalesUnitFactory()


@pytest.fixture
def salesperson(unit):
    return SalespersonFactory(unit=unit)


@pytest.fixture
def other_salesperson(other_unit):
    return SalespersonFactory(unit=other_unit)


@pytest.fixture
def teammate(unit):
    return SalespersonFactory(unit=unit)


@pytest.fixture
def manager(unit):
    return ManagerFactory(unit=unit)


@pytest.fixture
def gm():
    return GMFactory()


@pytest.fixture
def finance():
    return FinanceFactory()


@pytest.fixture
def admin_user():
    return AdminFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
