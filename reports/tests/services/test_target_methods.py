"""Target splits by settlement method and sales method (結算方式、銷售方式): keys from the sales app's lists, progress
from the methods recorded on signed contracts."""

from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from reports.models import Dimension
from reports.selectors.targets import target_splits
from reports.services.targets import LineInput, target_save, target_set_split
from sales.models import SalesMethod, SettlementMethod
from sales.tests.factories import ContractFactory, seed_methods

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods():
    seed_methods()


def test_settlement_and_sales_method_splits_show_their_actual_sales(manager, salesperson):
    today = timezone.localdate()
    target = target_save(
        actor=manager, unit=manager.unit, period_type="month", period_start=today.replace(day=1), amount=D("1000")
    )
    # Keys by code or by name in either language.
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SETTLEMENT,
        lines=[LineInput(key="monthly", amount=D("600")), LineInput(key="信用狀", amount=D("300"))],
    )
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALES_METHOD,
        lines=[LineInput(key="Through a distributor", amount=D("500"))],
    )
    monthly, lc = SettlementMethod.objects.get(code="monthly"), SettlementMethod.objects.get(code="lc")
    distributor, direct = SalesMethod.objects.get(code="distributor"), SalesMethod.objects.get(code="direct")
    customer = CustomerFactory(owner=salesperson)
    sold = {"customer": customer, "status": "signed", "signed_on": today}
    ContractFactory(**sold, amount=D("250"), settlement_method=monthly, sales_method=distributor)
    ContractFactory(**sold, amount=D("100"), settlement_method=lc, sales_method=direct)
    ContractFactory(customer=customer, status="draft", amount=D("999"), settlement_method=monthly)  # not sold
    with translation.override("en"):
        views = {v.dimension: v for v in target_splits(target=target)}
    assert [(r.label, r.actual) for r in views[Dimension.SETTLEMENT].rows] == [
        ("Monthly statement", D("250")),
        ("Letter of credit", D("100")),
    ]
    assert [(r.label, r.actual) for r in views[Dimension.SALES_METHOD].rows] == [("Through a distributor", D("250"))]
    assert views[Dimension.SALES_METHOD].unassigned == D("500")


def test_an_unknown_or_inactive_method_is_refused_naming_the_line(manager):
    today = timezone.localdate()
    target = target_save(
        actor=manager, unit=manager.unit, period_type="month", period_start=today.replace(day=1), amount=D("1000")
    )
    SettlementMethod.objects.filter(code="cash").update(is_active=False)
    for dimension, key in (
        (Dimension.SETTLEMENT, "barter"),
        (Dimension.SETTLEMENT, "cash"),
        (Dimension.SALES_METHOD, "x"),
    ):
        with pytest.raises(ApplicationError) as err:
            target_set_split(
                actor=manager, target=target, dimension=dimension, lines=[LineInput(key=key, amount=D("1"))]
            )
        assert err.value.field == "lines" and key in err.value.message
