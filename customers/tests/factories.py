import factory

from accounts.tests.factories import SalespersonFactory
from customers.models import ContactLog, Customer


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"測試客戶{n}股份有限公司")
    short_name = factory.Sequence(lambda n: f"客戶{n}")
    tax_id = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    phone = factory.Sequence(lambda n: f"02-2700-{n:04d}")
    owner = factory.SubFactory(SalespersonFactory)
    unit = factory.LazyAttribute(lambda o: o.owner.unit if o.owner else None)
    credit_limit = 1_000_000


class ContactLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLog

    customer = factory.SubFactory(CustomerFactory)
    author = factory.LazyAttribute(lambda o: o.customer.owner)
    purpose = "visit"
    outcome = "interested"
