import datetime as dt
from decimal import Decimal

import factory

from accounts.tests.factories import FinanceFactory
from commission.tests.factories import PaymentFactory, ShipmentFactory, sold_contract
from receivables.models import ReceivablesPolicy
from sales.models import Invoice

__all__ = ["InvoiceFactory", "PaymentFactory", "PolicyFactory", "ShipmentFactory", "sold_contract"]


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    contract = factory.SubFactory("sales.tests.factories.ContractFactory")
    number = factory.Sequence(lambda n: f"INV{n:06d}")
    issued_on = dt.date(2026, 1, 10)
    amount = Decimal("1000.00")
    recorded_by = factory.SubFactory(FinanceFactory)


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceivablesPolicy

    effective_from = dt.date(2000, 1, 1)
