"""What each role sees on the home page (moved from core/tests/test_pages_permissions.py)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from customers.tests.factories import ContactLogFactory, CustomerFactory
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_home_shows_a_salesperson_only_their_own_day(client, salesperson, other_salesperson):
    today = timezone.localdate()
    mine = CustomerFactory(owner=salesperson, short_name="MineCo")
    theirs = CustomerFactory(owner=other_salesperson, short_name="TheirsCo")
    ContactLogFactory(customer=mine, next_step="send quote", next_step_date=today)
    ContactLogFactory(customer=theirs, next_step="secret step", next_step_date=today)
    ContractFactory(customer=mine, status=ContractStatus.FILED, signed_on=today, amount=Decimal("1234"))
    ContractFactory(customer=theirs, status=ContractStatus.FILED, signed_on=today, amount=Decimal("999999"))
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert "MineCo" in html and "send quote" in html
    assert "TheirsCo" not in html and "secret step" not in html
    assert "1,234" in html and "999,999" not in html


def test_home_shows_a_manager_the_team_only(client, manager, salesperson, teammate, other_salesperson):
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert salesperson.full_name in html and teammate.full_name in html
    assert other_salesperson.full_name not in html


def test_home_shows_company_wide_roles_every_unit(client, gm, unit, other_unit):
    client.force_login(gm)
    html = client.get("/").content.decode()
    assert unit.name in html and other_unit.name in html


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm"])
def test_home_query_count_does_not_grow_with_data(request, client, role, django_assert_max_num_queries, unit):
    from accounts.tests.factories import SalespersonFactory

    user = request.getfixturevalue(role)
    people = [SalespersonFactory(unit=unit) for _ in range(8)]
    for person in people + ([user] if user.unit_id else []):
        for _ in range(3):
            customer = CustomerFactory(owner=person, unit=unit)
            ContactLogFactory(customer=customer, next_step="call", next_step_date=timezone.localdate())
            ContractFactory(customer=customer, status=ContractStatus.FILED, signed_on=timezone.localdate())
    client.force_login(user)
    with django_assert_max_num_queries(15):  # +1 since the filing day is a policy (FilingPolicy)
        assert client.get("/").status_code == 200


def test_team_figures_are_not_multiplied_by_joins(client, manager, salesperson):
    from workspace.selectors import home_data

    today = timezone.localdate()
    for amount in ("100", "250"):
        customer = CustomerFactory(owner=salesperson)
        ContractFactory(customer=customer, status=ContractStatus.SIGNED, signed_on=today, amount=Decimal(amount))
    CustomerFactory(owner=salesperson)
    row = next(r for r in home_data(user=manager, today=today).team if r.user == salesperson)
    assert row.customers == 3
    assert row.sales_month == Decimal("350")


def test_a_later_contact_supersedes_the_earlier_next_step(client, salesperson):
    import datetime as dt

    today = timezone.localdate()
    customer = CustomerFactory(owner=salesperson)
    ContactLogFactory(
        customer=customer,
        happened_at=timezone.now() - dt.timedelta(days=5),
        next_step="old step",
        next_step_date=today - dt.timedelta(days=1),
    )
    ContactLogFactory(customer=customer, happened_at=timezone.now(), next_step="new step", next_step_date=today)
    client.force_login(salesperson)
    html = client.get("/").content.decode()
    assert "new step" in html and "old step" not in html
