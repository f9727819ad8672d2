"""Every sales page and endpoint, per role: the owner's chain sees it, another salesperson gets 404."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import PaymentKind
from sales.services import LineInput

from .factories import priced_product, submit_reviewed

pytestmark = pytest.mark.django_db

VISIBLE = {
    "salesperson": True,
    "teammate": False,
    "other_salesperson": False,
    "manager": True,
    "gm": True,
    "finance": True,
    "admin_user": True,
}


@pytest.fixture
def deal(salesperson, finance):
    product = priced_product(standard="1000", cost="100")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    quote = services.quote_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("2"))]
    )
    contract = services.contract_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("2"))]
    )
    submit_reviewed(actor=salesperson, contract=contract)
    services.contract_sign(actor=salesperson, contract=contract)
    today = timezone.localdate()
    shipment = services.shipment_create(actor=salesperson, contract=contract, shipped_on=today)
    payment = services.payment_record(
        actor=finance, contract=contract, paid_on=today, amount=D("500"), kind=PaymentKind.PROGRESS
    )
    invoice = services.invoice_create(
        actor=finance, contract=contract, number="INV-1", issued_on=today, amount=D("2000")
    )
    return {"quote": quote, "contract": contract, "shipment": shipment, "payment": payment, "invoice": invoice}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_pages_per_role(client, request, role, deal):
    client.force_login(request.getfixturevalue(role))
    expected = 200 if VISIBLE[role] else 404
    q, c = deal["quote"].pk, deal["contract"].pk
    for url in (
        reverse("sales:quote_detail", args=[q]),
        reverse("sales:quote_print", args=[q]),
        reverse("sales:contract_detail", args=[c]),
        reverse("sales:contract_print", args=[c]),
    ):
        assert client.get(url).status_code == expected, url
    listed = client.get(reverse("sales:contract_list")).content.decode()
    assert (deal["contract"].number in listed) is VISIBLE[role]
    listed = client.get(reverse("sales:quote_list")).content.decode()
    assert (deal["quote"].number in listed) is VISIBLE[role]


@pytest.mark.parametrize("role", list(VISIBLE))
def test_api_per_role(api_client, request, role, deal):
    api_client.force_authenticate(request.getfixturevalue(role))
    expected = 200 if VISIBLE[role] else 404
    for base, obj in (
        ("quotes", deal["quote"]),
        ("contracts", deal["contract"]),
        ("shipments", deal["shipment"]),
        ("payments", deal["payment"]),
        ("invoices", deal["invoice"]),
    ):
        assert api_client.get(f"/api/v1/{base}/{obj.pk}/").status_code == expected, base
        ids = [row["id"] for row in api_client.get(f"/api/v1/{base}/").json()["results"]]
        assert (obj.pk in ids) is VISIBLE[role], base


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm", "finance"])
def test_only_admins_write_reference_data_over_the_api(api_client, request, role):
    product = priced_product()
    api_client.force_authenticate(request.getfixturevalue(role))
    assert api_client.post("/api/v1/products/", {"code": "X-1", "name": "x"}, format="json").status_code == 403
    body = {
        "name": "new",
        "effective_from": str(dt.date(2026, 1, 1)),
        "items": [{"product": product.pk, "standard_price": "1", "cost": "1"}],
    }
    assert api_client.post("/api/v1/price-lists/", body, format="json").status_code == 403
    body = {"effective_from": "2026-01-01", "margin_review_percent": "1"}
    assert api_client.post("/api/v1/sales-policies/", body, format="json").status_code == 403


def test_admin_site_pages_render(client, admin_user, deal):
    client.force_login(admin_user)
    for model in (
        "product",
        "pricelist",
        "saleslevel",
        "discountauthority",
        "salespolicy",
        "contract",
        "contractapproval",
        "contractevent",
        "quote",
        "shipment",
        "payment",
        "invoice",
    ):
        assert client.get(f"/admin/sales/{model}/").status_code == 200, model
    for model in ("discountauthority", "salespolicy", "pricelist", "saleslevel"):
        assert client.get(f"/admin/sales/{model}/add/").status_code == 200, model
    assert client.get(f"/admin/sales/contract/{deal['contract'].pk}/change/").status_code == 200
