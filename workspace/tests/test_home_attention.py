"""The home page points managers at contracts awaiting them and everyone at contracts not filed in time."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from customers.tests.factories import CustomerFactory
from sales import services
from sales.services import LineInput
from sales.tests.factories import authority, priced_product

pytestmark = pytest.mark.django_db


def contract_needing_manager(salesperson):
    authority(salesperson, "15")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("10"), discount_percent=D("18"), list_price=None)],
    )
    return services.contract_submit(actor=salesperson, contract=contract)


def test_manager_sees_contracts_awaiting_approval_and_salesperson_does_not(client, salesperson, manager):
    contract_needing_manager(salesperson)
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert 'id="awaiting-approval"' in html and "1 contract awaits your approval" in html
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert 'id="awaiting-approval"' not in html
    assert 'id="quick-actions"' in html


def test_other_units_manager_is_not_asked(client, salesperson, other_unit):
    from accounts.tests.factories import ManagerFactory

    contract_needing_manager(salesperson)
    client.force_login(ManagerFactory(unit=other_unit))
    assert 'id="awaiting-approval"' not in client.get("/").content.decode()


def test_signed_contract_not_filed_in_three_days_is_flagged(client, salesperson, manager):
    contract = contract_needing_manager(salesperson)
    services.contract_approve(actor=manager, contract=contract)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        services.contract_sign(actor=salesperson, contract=contract)
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)):
        client.force_login(salesperson)  # logged in on that day: a session from the real today may have expired
        assert 'id="filing-overdue"' not in client.get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC)):
        html = client.get("/").content.decode()
        assert "1 signed contract not filed within 3 days" in html
