import pytest

from customers.models import ContactLog, Customer, CustomerConflict
from customers.tests.factories import ContactLogFactory, CustomerFactory

pytestmark = pytest.mark.django_db

VISIBLE = {
    "salesperson": {"mine"},
    "manager": {"mine", "team"},
    "other_salesperson": {"other"},
    "gm": {"mine", "team", "other"},
    "finance": {"mine", "team", "other"},
    "admin_user": {"mine", "team", "other"},
}


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_customer_list_and_detail_visibility(api_client, book, role, request):
    api_client.force_authenticate(request.getfixturevalue(role))
    assert ids(api_client.get("/api/v1/customers/")) == {book[k].pk for k in VISIBLE[role]}
    for key, customer in book.items():
        code = api_client.get(f"/api/v1/customers/{customer.pk}/").status_code
        assert code == (200 if key in VISIBLE[role] else 404), (role, key)
        code = api_client.get(f"/api/v1/customers/{customer.pk}/contacts/").status_code
        assert code == (200 if key in VISIBLE[role] else 404), (role, key)


@pytest.mark.parametrize("role", list(VISIBLE))
def test_contact_log_visibility(api_client, book, role, request):
    api_client.force_authenticate(request.getfixturevalue(role))
    expected = set(
        ContactLog.objects.filter(customer__in=[book[k] for k in VISIBLE[role]]).values_list("pk", flat=True)
    )
    assert ids(api_client.get("/api/v1/contact-logs/")) == expected
    for log in ContactLog.objects.all():
        assert api_client.get(f"/api/v1/contact-logs/{log.pk}/").status_code == (200 if log.pk in expected else 404)


def test_anonymous_gets_403(api_client, book):
    assert api_client.get("/api/v1/customers/").status_code == 403


def test_register_conflict_is_a_400_naming_owner_and_recorded(api_client, salesperson, other_salesperson):
    api_client.force_authenticate(salesperson)
    r = api_client.post("/api/v1/customers/", {"name": "Acme Trading Co., Ltd.", "tax_id": "22099131"}, format="json")
    assert r.status_code == 201 and r.json()["owner"] == salesperson.pk
    api_client.force_authenticate(other_salesperson)
    r = api_client.post("/api/v1/customers/", {"name": "Acme", "tax_id": "22099131"}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "already_registered"
    assert salesperson.get_full_name() in body["tax_id"][0]
    assert CustomerConflict.objects.filter(pk=body["detail"]["conflict_id"], claimant=other_salesperson).exists()


def test_invalid_input_names_the_field(api_client, salesperson):
    api_client.force_authenticate(salesperson)
    r = api_client.post("/api/v1/customers/", {"name": "X", "phone": "123"}, format="json")
    assert r.status_code == 400 and "phone" in r.json()
    r = api_client.post("/api/v1/customers/", {"name": "X", "credit_limit": "100"}, format="json")
    assert r.status_code == 403 and "credit_limit" in r.json()
    assert not Customer.objects.exists()


def test_patch_another_salespersons_customer_is_404(api_client, book, salesperson):
    api_client.force_authenticate(salesperson)
    r = api_client.patch(f"/api/v1/customers/{book['other'].pk}/", {"status": "lost"}, format="json")
    assert r.status_code == 404
    r = api_client.patch(f"/api/v1/customers/{book['mine'].pk}/", {"status": "active"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_contacts_and_logs_created_through_api(api_client, book, salesperson):
    api_client.force_authenticate(salesperson)
    mine = book["mine"]
    r = api_client.post(
        f"/api/v1/customers/{mine.pk}/contacts/", {"name": "林經理", "phone": "0912-345-678"}, format="json"
    )
    assert r.status_code == 201 and r.json()["phone"] == "+886912345678"
    r = api_client.post(
        "/api/v1/contact-logs/",
        {
            "customer": mine.pk,
            "kind": "call",
            "outcome": "ok",
            "next_step": "visit",
            "next_step_date": "2099-01-01",
            "objection_tags": ["price"],
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["objection_tags"] == ["price"]
    r = api_client.post("/api/v1/contact-logs/", {"customer": book["other"].pk, "kind": "call"}, format="json")
    assert r.status_code == 400 and "customer" in r.json()
    r = api_client.post(f"/api/v1/customers/{book['other'].pk}/contacts/", {"name": "x"}, format="json")
    assert r.status_code == 404


def test_filters_search_and_ordering(api_client, salesperson):
    CustomerFactory(
        owner=salesperson, name="Formosa Components Inc.", region="北區", tier="member", member_level="金卡"
    )
    CustomerFactory(owner=salesperson, name="Evergreen Tooling", region="南區")
    api_client.force_authenticate(salesperson)
    rows = api_client.get("/api/v1/customers/", {"search": "Formosa Compnents"}).json()["results"]
    assert [r["name"] for r in rows] == ["Formosa Components Inc."]
    assert [r["name"] for r in api_client.get("/api/v1/customers/", {"region": "南區"}).json()["results"]] == [
        "Evergreen Tooling"
    ]
    assert len(api_client.get("/api/v1/customers/", {"tier": "member"}).json()["results"]) == 1
    names = [r["name"] for r in api_client.get("/api/v1/customers/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_list_endpoint_query_count_independent_of_page_size(
    api_client, manager, salesperson, django_assert_max_num_queries
):
    for i in range(150):
        c = CustomerFactory(owner=salesperson, name=f"API bulk {i}")
        if i % 2:
            ContactLogFactory(customer=c)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(6):
        assert len(api_client.get("/api/v1/customers/", {"page_size": 10}).json()["results"]) == 10
    with django_assert_max_num_queries(6):
        assert len(api_client.get("/api/v1/customers/", {"page_size": 200}).json()["results"]) == 150
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/contact-logs/", {"page_size": 200}).status_code == 200


def test_conflict_endpoints(api_client, salesperson, other_salesperson, gm, manager):
    from customers.services import RegistrationRefused, customer_register

    customer_register(actor=salesperson, data={"name": "API Clash"})
    with pytest.raises(RegistrationRefused):
        customer_register(actor=other_salesperson, data={"name": "API Clash Ltd"})
    conflict = CustomerConflict.objects.get()
    api_client.force_authenticate(salesperson)
    assert api_client.get("/api/v1/customer-conflicts/").json()["results"] == []
    assert api_client.get(f"/api/v1/customer-conflicts/{conflict.pk}/").status_code == 404
    api_client.force_authenticate(manager)  # the first owner's manager sees the conflict on the unit's customer
    assert len(api_client.get("/api/v1/customer-conflicts/").json()["results"]) == 1
    assert api_client.post(f"/api/v1/customer-conflicts/{conflict.pk}/confirm/", {}).status_code == 403
    api_client.force_authenticate(gm)
    r = api_client.post(f"/api/v1/customer-conflicts/{conflict.pk}/reassign/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api_client.post(f"/api/v1/customer-conflicts/{conflict.pk}/confirm/", {"reason": "first"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert api_client.get("/api/v1/customer-conflicts/", {"status": "open"}).json()["results"] == []


def test_pool_endpoint_claim(api_client, salesperson, other_salesperson):
    pooled = CustomerFactory(owner=None, unit=None, name="API Pool")
    api_client.force_authenticate(salesperson)
    assert [r["id"] for r in api_client.get("/api/v1/customer-pool/").json()["results"]] == [pooled.pk]
    assert api_client.post(f"/api/v1/customer-pool/{pooled.pk}/claim/").status_code == 200
    api_client.force_authenticate(other_salesperson)
    r = api_client.post(f"/api/v1/customer-pool/{pooled.pk}/claim/")
    assert r.status_code == 400 and r.json()["code"] == "already_registered"


def test_schema_documents_customer_endpoints(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/customers/",
        "/api/v1/customers/{id}/contacts/",
        "/api/v1/contact-logs/",
        "/api/v1/customer-conflicts/",
        "/api/v1/customer-conflicts/{id}/reassign/",
    ]:
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"search", "owner", "unit", "region", "tier", "status", "ordering"} <= params


def test_contact_log_and_conflict_search(api_client, book, salesperson, gm):
    from customers.services import RegistrationRefused, customer_register

    api_client.force_authenticate(salesperson)
    rows = api_client.get("/api/v1/contact-logs/", {"search": "Mine Trading"}).json()["results"]
    assert {r["customer"] for r in rows} == {book["mine"].pk}
    assert api_client.get("/api/v1/contact-logs/", {"search": "Other Machinery"}).json()["results"] == []
    with pytest.raises(RegistrationRefused):
        customer_register(actor=salesperson, data={"name": "OTHER MACHINERY"})
    api_client.force_authenticate(gm)
    rows = api_client.get("/api/v1/customer-conflicts/", {"search": "other machinery"}).json()["results"]
    assert [r["claimed_name"] for r in rows] == ["OTHER MACHINERY"]
