import factory
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from customers.identity import identity_keys, phone_digits, phonetic_tokens, search_key
from customers.models import Contact, ContactLog, Customer, CustomerIdentity, MemberLevel


class CustomerFactory(factory.django.DjangoModelFactory):
    """A registered customer (with its registration keys and search text), built without the service."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"測試客戶{n}股份有限公司")
    short_name = factory.Sequence(lambda n: f"客戶{n}")
    tax_id = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    phone = factory.Sequence(lambda n: f"02-2700-{n:04d}")
    owner = factory.SubFactory(SalespersonFactory)
    unit = factory.LazyAttribute(lambda o: o.owner.unit if o.owner else None)
    credit_limit = 1_000_000
    registered_at = factory.LazyFunction(timezone.now)
    owned_since = factory.LazyAttribute(lambda o: o.registered_at if o.owner else None)
    search_text = factory.LazyAttribute(lambda o: search_key(o.name, o.short_name))
    search_phonetic = factory.LazyAttribute(lambda o: phonetic_tokens(o.name, o.short_name))
    phone_digits = factory.LazyAttribute(lambda o: phone_digits(str(o.phone or "")))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # `member_level="金卡"`: the level of that name (created when the test did not define it).
        level = kwargs.get("member_level")
        if isinstance(level, str):
            kwargs["member_level"] = MemberLevel.objects.get_or_create(name=level)[0] if level else None
        return kwargs

    @factory.post_generation
    def register_keys(obj, create, extracted, **kwargs):
        if create:
            keys = identity_keys(name=obj.name, tax_id=obj.tax_id, phone=str(obj.phone or ""))
            CustomerIdentity.objects.bulk_create(
                [CustomerIdentity(customer=obj, kind=k, key=v) for k, v in keys.items()], ignore_conflicts=True
            )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"聯絡人{n}")
    title = "採購經理"
    phone = factory.Sequence(lambda n: f"0912-{n % 1000:03d}-{n % 1000:03d}")


class ContactLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLog

    customer = factory.SubFactory(CustomerFactory)
    author = factory.LazyAttribute(lambda o: o.customer.owner)
    purpose = "visit"
    outcome = "interested"
