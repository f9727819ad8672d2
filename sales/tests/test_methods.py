"""Settlement and sales methods (結算方式、銷售方式): recorded on every quote and contract from the admin's lists,
chosen on the pages and the API, copied from the quote to its contract, shown where the deal is read."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import Contract, SalesMethod, SettlementMethod
from sales.services import LineInput

from .api._helpers import login
from .factories import priced_product, seed_methods

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods():
    seed_methods()


FORMSET = {
    "basis": "contract",
    "lines-TOTAL_FORMS": "1",
    "lines-INITIAL_FORMS": "0",
    "lines-MIN_NUM_FORMS": "1",
    "lines-MAX_NUM_FORMS": "1000",
    "lines-0-quantity": "2",
}


@pytest.fixture
def product():
    return priced_product(standard="100.00", cost="50.00")


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson, credit_limit=D("10000000"))


def _method(model, code):
    return model.objects.get(code=code)


def test_the_lists_are_seeded_with_one_default_each():
    assert list(SettlementMethod.objects.values_list("code", flat=True)) == [
        "cash",
        "transfer",
        "monthly",
        "note",
        "lc",
    ]
    assert list(SalesMethod.objects.values_list("code", flat=True)) == ["direct", "distributor", "project"]
    assert SettlementMethod.objects.get(is_default=True).code == "transfer"
    assert SalesMethod.objects.get(is_default=True).code == "direct"


def test_contract_page_records_the_chosen_methods_and_shows_them(client, salesperson, customer, product):
    client.force_login(salesperson)
    form = client.get(reverse("sales:contract_create")).content.decode()
    assert 'name="settlement_method"' in form and 'name="sales_method"' in form
    lc, distributor = _method(SettlementMethod, "lc"), _method(SalesMethod, "distributor")
    data = {**FORMSET, "customer": customer.pk, "lines-0-product": product.pk}
    response = client.post(
        reverse("sales:contract_create"), {**data, "settlement_method": lc.pk, "sales_method": distributor.pk}
    )
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert (contract.settlement_method, contract.sales_method) == (lc, distributor)
    html = client.get(response["Location"]).content.decode()
    assert 'id="settlement-method">Letter of credit<' in html or 'id="settlement-method">信用狀<' in html
    # An explicitly empty choice is refused naming the field; nothing is saved.
    response = client.post(reverse("sales:contract_create"), {**data, "settlement_method": "", "sales_method": ""})
    assert response.status_code == 200 and Contract.objects.count() == 1
    assert "settlement_method" in response.context["form"].errors


def test_an_inactive_method_is_refused_and_the_quotes_methods_go_to_its_contract(
    salesperson, manager, customer, product
):
    cash = _method(SettlementMethod, "cash")
    cash.is_active = False
    cash.save()
    with pytest.raises(services.ApplicationError if hasattr(services, "ApplicationError") else Exception) as err:
        services.quote_create(
            actor=salesperson,
            customer=customer,
            lines=[LineInput(product=product, quantity=D("1"))],
            settlement_method=cash,
        )
    assert getattr(err.value, "field", None) == "settlement_method"
    monthly, distributor = _method(SettlementMethod, "monthly"), _method(SalesMethod, "distributor")
    quote = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"))],
        settlement_method=monthly,
        sales_method=distributor,
    )
    quote = services.quote_submit(actor=salesperson, quote=quote)
    contract = services.contract_create_from_quote(actor=salesperson, quote=quote)
    assert (contract.settlement_method, contract.sales_method) == (monthly, distributor)
    # Changing the contract keeps its methods unless new ones are given.
    contract = services.contract_update(actor=salesperson, contract=contract, note="x")
    assert contract.settlement_method == monthly
    contract = services.contract_update(
        actor=salesperson, contract=contract, settlement_method=_method(SettlementMethod, "lc")
    )
    assert contract.settlement_method.code == "lc"


def test_api_contract_methods_by_code(api_client, salesperson, customer, product, django_assert_max_num_queries):
    client = login(api_client, salesperson)
    body = {
        "customer": customer.pk,
        "lines": [{"product": product.pk, "quantity": "1"}],
        "settlement_method": "monthly",
        "sales_method": "project",
    }
    response = client.post("/api/v1/contracts/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["settlement_method"], response.json()["sales_method"]) == ("monthly", "project")
    response = client.post("/api/v1/contracts/", {**body, "settlement_method": "barter"}, format="json")
    assert response.status_code == 400 and "settlement_method" in response.json().get("errors", response.json())
    without = client.post("/api/v1/contracts/", {k: v for k, v in body.items() if "method" not in k}, format="json")
    assert (without.json()["settlement_method"], without.json()["sales_method"]) == ("transfer", "direct")
    for _ in range(5):
        client.post("/api/v1/contracts/", body, format="json")
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/contracts/?settlement_method__code=monthly")
    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert len(rows) == 6 and {r["settlement_method_name"] for r in rows} <= {"Monthly statement", "月結"}
