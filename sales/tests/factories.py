import datetime
from decimal import Decimal

import factory

from customers.tests.factories import CustomerFactory
from sales.models import Contract, ContractLine, DiscountAuthority, PriceList, PriceListItem, Product, Quote


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


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    number = factory.Sequence(lambda n: f"Q{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    unit = factory.LazyAttribute(lambda o: o.owner.unit)
    amount = Decimal("10000.00")


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    contract = factory.SubFactory(ContractFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = Decimal("10")
    unit_price = Decimal("1200.00")
    standard_price = Decimal("1000.00")
    list_price = factory.LazyAttribute(lambda o: o.unit_price)


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"價目表{n}")
    producing_unit = "生產一廠"
    effective_from = datetime.date(2020, 1, 1)


def priced_product(*, standard="1000.00", cost="700.00", on=datetime.date(2020, 1, 1), **kwargs) -> Product:
    """A product with a price-list item in force since `on`."""
    product = ProductFactory(**kwargs)
    PriceListItem.objects.create(
        price_list=PriceListFactory(effective_from=on),
        product=product,
        standard_price=Decimal(standard),
        cost=Decimal(cost),
    )
    return product


def authority(user, percent, *, on=datetime.date(2020, 1, 1), set_by=None):
    return DiscountAuthority.objects.create(
        user=user, max_discount_percent=Decimal(percent), effective_from=on, set_by=set_by or user
    )


def submit_reviewed(*, actor, contract):
    """Submit a contract and have each approval of its review (契約評審 and any rule hits) given by someone who may
    decide it: for tests that need an approved contract and are not about the review itself."""
    from accounts.tests.factories import GMFactory, ManagerFactory
    from sales import services
    from sales.models import ApprovalDecision

    contract = services.contract_submit(actor=actor, contract=contract)
    for approval in contract.approvals.filter(round=contract.review_round, decision=ApprovalDecision.PENDING):
        candidates = [contract.unit.manager] if contract.unit.manager_id else []
        candidates = [*candidates, ManagerFactory(unit=contract.unit), GMFactory()]
        approver = next(u for u in candidates if u and services.may_decide(u, contract, approval.approver_role))
        contract = services.contract_approve(actor=approver, contract=contract)
    return contract


def seed_methods() -> None:
    """The settlement and sales method lists as the migration seeds them (a transactional test flushes them)."""
    from sales.services.methods import ensure_method_lists

    ensure_method_lists()
