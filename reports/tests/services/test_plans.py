"""Visit routes (services.plans)."""

import pytest

from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from reports.services.plans import visit_route_set_day

pytestmark = pytest.mark.django_db


def test_route_only_takes_own_customers(salesperson, other_salesperson):
    with pytest.raises(ApplicationError):
        visit_route_set_day(
            owner=salesperson, weekday=0, customer_ids=[CustomerFactory(owner=other_salesperson).pk], actor=salesperson
        )
