"""Pickers name customers and contracts ("C2026-00012 大同紡織"), in the Django admin and on commission forms."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from sales import services
from sales.services import LineInput

from .factories import priced_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    return admin_user


@pytest.fixture
def contract(salesperson):
    customer = CustomerFactory(owner=salesperson, name="大同紡織股份有限公司", credit_limit=D("1e7"))
    product = priced_product(standard="100", cost="50")
    return services.contract_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("1"))]
    )


def test_contract_admin_picks_the_customer_by_number(client, staff_admin, contract):
    client.force_login(staff_admin)
    html = client.get(reverse("admin:sales_contract_change", args=[contract.pk])).content.decode()
    assert contract.customer.picker_label in html  # the chosen customer, named with its number
    assert "admin-autocomplete" in html  # a searchable picker, not a bare id box
    url = reverse("admin:autocomplete")
    params = {"app_label": "sales", "model_name": "contract", "field_name": "customer"}
    for term in (contract.customer.display_number, str(contract.customer.pk), "大同"):
        results = client.get(url, {**params, "term": term}).json()["results"]
        assert [r["id"] for r in results] == [str(contract.customer.pk)], term
        assert [r["text"] for r in results] == [contract.customer.picker_label], term  # not the short name


def test_customer_admin_lists_numbers(client, staff_admin, contract, django_assert_max_num_queries):
    CustomerFactory.create_batch(20)
    client.force_login(staff_admin)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert contract.customer.display_number in html


def test_expense_form_names_contracts_with_their_customer(client, salesperson, contract):
    client.force_login(salesperson)
    html = client.get(reverse("commission:expenses")).content.decode()
    assert f"{contract.number} · {contract.customer.picker_label}" in html
