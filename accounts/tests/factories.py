import factory

from accounts.models import Role, SalesUnit, User
from accounts.services import user_set_role


class SalesUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesUnit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"業務{n}部")
    name_en = factory.Sequence(lambda n: f"Sales {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"業務員{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.SALESPERSON
    unit = factory.SubFactory(SalesUnitFactory)
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def sync_role(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            user_set_role(user=obj, role=obj.role)


class SalespersonFactory(UserFactory):
    role = Role.SALESPERSON


class ManagerFactory(UserFactory):
    role = Role.MANAGER

    @factory.post_generation
    def manage_unit(obj, create, extracted, **kwargs):
        if create and obj.unit and obj.unit.manager_id is None:
            obj.unit.manager = obj
            obj.unit.save(update_fields=["manager"])


class GMFactory(UserFactory):
    role = Role.GM_OFFICE
    unit = None


class FinanceFactory(UserFactory):
    role = Role.FINANCE
    unit = None


class AdminFactory(UserFactory):
    role = Role.ADMIN
    unit = None
    is_superuser = True
