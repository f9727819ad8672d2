import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from reminders.models import CustomerMessagingPreference, Reminder, ReminderKind
from sales.models import ContractStatus, Payment, Shipment
from sales.tests.factories import ContractFactory, ContractLineFactory


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    contract = factory.SubFactory(ContractFactory)
    shipped_on = dt.date(2026, 3, 1)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    contract = factory.SubFactory(ContractFactory)
    paid_on = dt.date(2026, 3, 1)
    amount = Decimal("100.00")
    recorded_by = factory.LazyAttribute(lambda o: o.contract.owner)


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerMessagingPreference

    opted_in = True
    channel = "sms"
    language = "zh-hant"


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    kind = ReminderKind.NEXT_STEP
    dedup_key = factory.Sequence(lambda n: f"test:{n}")
    owner = factory.SubFactory("accounts.tests.factories.SalespersonFactory")
    unit = factory.LazyAttribute(lambda o: o.owner.unit)
    due_on = factory.LazyFunction(timezone.localdate)
    send_after = factory.LazyFunction(timezone.now)
    params = factory.LazyAttribute(lambda o: {"customer": "ACME", "next_step": "call back", "date": str(o.due_on)})


def purchase(customer, product, on: dt.date, quantity="10", status=ContractStatus.FILED):
    """One order of `quantity` of `product` signed on `on`."""
    contract = ContractFactory(customer=customer, status=status, signed_on=on)
    ContractLineFactory(contract=contract, product=product, quantity=Decimal(quantity))
    return contract
