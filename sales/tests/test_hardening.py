"""Schema mismatches and bad input found by fuzzing the API (schemathesis)."""

import pytest

from customers.tests.factories import CustomerFactory
from sales.tests.factories import ContractFactory, authority, priced_product

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
