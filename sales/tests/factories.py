from decimal import Decimal

import factory

from customers.tests.factories import CustomerFactory
from sales.models import Contract, ContractLine, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"產品{n}")
    name_en = factory.Sequence(lambda n: f"Product {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"T{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    unit = factory.LazyAttribute(lambda o: o.owner.unit)


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    contract = factory.SubFactory(ContractFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = Decimal("10")
    unit_price = Decimal("1200.00")
    standard_price = Decimal("1000.00")
