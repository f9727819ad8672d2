"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from accounts.tests.factories import (
    AdminFactory,
    FinanceFactory,
    GMFactory,
    ManagerFactory,
    SalespersonFactory,
    SalesUnitFactory,
)

# CI runs the property tests on a fixed sequence of examples, so a red run can be reproduced exactly.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


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
