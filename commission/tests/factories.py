import datetime as dt
from decimal import Decimal

import factory

from accounts.models import Role
from accounts.tests.factories import FinanceFactory, UserFactory
from commission.models import ContractCost, CooperationBonus, ExpenseClaim, ExpenseStatus
from sales.models import ContractStatus, Payment, PaymentKind, Shipment
from sales.tests.factories import ContractFactory, ContractLineFactory


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    contract = factory.SubFactory(ContractFactory)
    shipped_on = dt.date(2026, 1, 10)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    contract = factory.SubFactory(ContractFactory)
    paid_on = dt.date(2026, 1, 20)
    amount = Decimal("12000.00")
    kind = PaymentKind.PROGRESS
    recorded_by = factory.SubFactory(FinanceFactory)


class StaffFactory(UserFactory):
    role = Role.STAFF
    unit = None


class ExpenseClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpenseClaim

    contract = factory.SubFactory(ContractFactory)
    claimant = factory.LazyAttribute(lambda o: o.contract.owner)
    amount = Decimal("1000.00")
    description = "客戶拜訪交通費"
    incurred_on = dt.date(2026, 1, 5)
    status = ExpenseStatus.APPROVED
    decided_on = dt.date(2026, 1, 6)


class ContractCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractCost

    contract = factory.SubFactory(ContractFactory)
    cost = Decimal("9000.00")
    recorded_by = factory.SubFactory(FinanceFactory)


class CooperationBonusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationBonus

    contract = factory.SubFactory(ContractFactory)
    staff = factory.SubFactory(StaffFactory)
    rate_percent = Decimal("1")


def sold_contract(
    *,
    owner=None,
    quantity="10",
    unit_price="1200.00",
    standard_price="1000.00",
    retention="0",
    signed_on=dt.date(2026, 1, 5),
    shipped_on=dt.date(2026, 1, 10),
    **kwargs,
):
    """A signed contract of one line (10 × 1,200 against a standard price of 1,000 by default), shipped."""
    extra = {"owner": owner, "unit": owner.unit} if owner is not None else {}
    if owner is not None:
        extra["customer__owner"] = owner
    contract = ContractFactory(status=ContractStatus.SIGNED, signed_on=signed_on, **extra, **kwargs)
    ContractLineFactory(
        contract=contract,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        standard_price=Decimal(standard_price),
    )
    contract.amount = Decimal(quantity) * Decimal(unit_price)
    contract.retention_amount = Decimal(retention)
    contract.save(update_fields=["amount", "retention_amount"])
    if shipped_on is not None:
        ShipmentFactory(contract=contract, shipped_on=shipped_on)
    return contract
