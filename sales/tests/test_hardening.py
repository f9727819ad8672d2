"""Schema mismatches and bad input found by fuzzing the API (schemathesis)."""

from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales.tests.factories import ContractFactory, authority, priced_product

from .factories import submit_reviewed

pytestmark = pytest.mark.django_db


def _schema(api_client, user):
    api_client.force_authenticate(user)
    return api_client.get("/api/schema/", {"format": "json"}).json()


def test_schema_is_the_same_whoever_downloads_it(api_client, salesperson, manager, finance, admin_user):
    """It was generated with the caller's cost visibility: a salesperson's responses broke an admin's schema."""
    schemas = [_schema(api_client, u) for u in (salesperson, manager, finance, admin_user)]
    assert all(s == schemas[0] for s in schemas[1:])
    components = schemas[0]["components"]["schemas"]
    for path in [
        "/api/v1/products/{id}/",
        "/api/v1/contracts/{id}/",
        "/api/v1/quotes/{id}/",
        "/api/v1/price-lists/{id}/",
    ]:
        ref = schemas[0]["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[1]
        assert "Cost" not in name, path
        assert "cost" not in components[name].get("required", []), path
        assert "margin_percent" not in components[name].get("required", []), path


@pytest.mark.parametrize("role", ["salesperson", "admin_user"])
def test_every_role_gets_the_documented_required_product_fields(api_client, role, request):
    product = priced_product()
    user = request.getfixturevalue(role)
    schema = _schema(api_client, user)
    ref = schema["paths"]["/api/v1/products/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    required = schema["components"]["schemas"][ref["schema"]["$ref"].rsplit("/", 1)[1]]["required"]
    body = api_client.get(f"/api/v1/products/{product.pk}/").json()
    assert set(required) <= set(body)
    assert ("cost" in body) is (role == "admin_user")


def test_personal_discount_authority_documents_a_null_level_name(api_client, salesperson, admin_user):
    row = authority(salesperson, "15.00")
    schema = _schema(api_client, admin_user)
    prop = schema["components"]["schemas"]["DiscountAuthorityOutput"]["properties"]["level_name"]
    assert prop.get("nullable") is True
    assert api_client.get(f"/api/v1/discount-authorities/{row.pk}/").json()["level_name"] is None


def test_contract_detail_for_a_salesperson_has_no_cost_and_conforms(api_client, salesperson):
    contract = ContractFactory(customer=CustomerFactory(owner=salesperson))
    schema = _schema(api_client, salesperson)
    body = api_client.get(f"/api/v1/contracts/{contract.pk}/").json()
    comp = schema["components"]["schemas"]["ContractOutput"]
    assert set(comp["required"]) <= set(body)
    assert "margin_percent" not in body


# --- permissions: every detail page and endpoint, a teammate and another unit's manager get 404 ---------------

OUTSIDERS = ["teammate", "other_salesperson", "other_manager"]


@pytest.fixture
def other_manager(other_unit):
    from accounts.tests.factories import ManagerFactory

    return ManagerFactory(unit=other_unit)


@pytest.fixture
def deal(salesperson, finance):
    """A quote and a signed, shipped, part-paid, invoiced contract of `salesperson`."""
    from django.utils import timezone

    from sales import services
    from sales.models import PaymentKind
    from sales.services import LineInput

    product = priced_product(standard="1000", cost="100")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    lines = [LineInput(product=product, quantity=D("2"))]
    quote = services.quote_create(actor=salesperson, customer=customer, lines=lines)
    contract = services.contract_create(actor=salesperson, customer=customer, lines=lines)
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


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_every_sales_page_and_action(client, request, role, deal):
    from django.urls import reverse

    client.force_login(request.getfixturevalue(role))
    q, c = deal["quote"], deal["contract"]
    gets = [
        reverse("sales:quote_detail", args=[q.pk]),
        reverse("sales:quote_print", args=[q.pk]),
        reverse("sales:quote_edit", args=[q.pk]),
        reverse("sales:contract_detail", args=[c.pk]),
        reverse("sales:contract_print", args=[c.pk]),
        reverse("sales:contract_edit", args=[c.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for verb in ("submit", "approve", "reject", "sent", "contract"):
        assert client.post(reverse("sales:quote_action", args=[q.pk, verb])).status_code == 404, verb
    for verb in ("submit", "approve", "reject", "sign", "cancel"):
        assert client.post(reverse("sales:contract_action", args=[c.pk, verb])).status_code == 404, verb
    c.refresh_from_db()
    assert c.status == "signed"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_every_sales_endpoint(api_client, request, role, deal):
    api_client.force_authenticate(request.getfixturevalue(role))
    q, c = deal["quote"].pk, deal["contract"].pk
    for url in (
        f"/api/v1/quotes/{q}/",
        f"/api/v1/contracts/{c}/",
        f"/api/v1/shipments/{deal['shipment'].pk}/",
        f"/api/v1/payments/{deal['payment'].pk}/",
        f"/api/v1/invoices/{deal['invoice'].pk}/",
    ):
        assert api_client.get(url).status_code == 404, url
    assert api_client.patch(f"/api/v1/quotes/{q}/", {"note": "x"}, format="json").status_code == 404
    assert api_client.patch(f"/api/v1/contracts/{c}/", {"note": "x"}, format="json").status_code == 404
    for verb in ("submit", "approve", "reject", "outcome", "make-contract"):
        assert api_client.post(f"/api/v1/quotes/{q}/{verb}/", {}, format="json").status_code == 404, verb
    for verb in ("submit", "approve", "reject", "sign", "cancel"):
        assert api_client.post(f"/api/v1/contracts/{c}/{verb}/", {}, format="json").status_code == 404, verb
    before = deal["contract"].shipments.count()
    r = api_client.post("/api/v1/shipments/", {"contract": c, "shipped_on": "2026-01-01"}, format="json")
    assert r.status_code in (400, 404) and deal["contract"].shipments.count() == before


def test_unpriced_product_documents_null_price_and_cost(api_client, admin_user, salesperson):
    """A product no price list prices yet answered standard_price/cost null against a non-null schema."""
    from sales.tests.factories import ProductFactory

    product = ProductFactory()
    schema = _schema(api_client, salesperson)
    assert schema["components"]["schemas"]["ProductOutput"]["properties"]["standard_price"].get("nullable") is True
    for user in (salesperson, admin_user):
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/products/{product.pk}/").json()
        assert body["standard_price"] is None
    assert body["cost"] is None


@pytest.mark.parametrize("value", ["²", "abc", "-1"])
def test_contract_preview_with_a_bad_contract_id_is_404_not_500(client, salesperson, value):
    from django.urls import reverse

    client.force_login(salesperson)
    assert client.post(reverse("sales:contract_preview"), {"contract": value}).status_code == 404


def test_contract_preview_of_a_teammates_contract_is_404(client, teammate, deal):
    from django.urls import reverse

    client.force_login(teammate)
    r = client.post(reverse("sales:contract_preview"), {"contract": str(deal["contract"].pk)})
    assert r.status_code == 404
