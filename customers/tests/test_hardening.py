"""Bad input and permission probes found by fuzzing the API (schemathesis) and the pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from customers.models import Customer, CustomerConflict, MemberLevel
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pk", ["AAA", "null,null", "1.5", "²"])
def test_pool_claim_with_a_non_numeric_id_is_404_not_500(api_client, salesperson, pk):
    api_client.force_authenticate(salesperson)
    assert api_client.post(f"/api/v1/customer-pool/{pk}/claim/").status_code == 404


def test_pool_claim_with_an_out_of_range_id_is_404(api_client, salesperson):
    api_client.force_authenticate(salesperson)
    assert api_client.post(f"/api/v1/customer-pool/{10**30}/claim/").status_code == 404


def test_pool_claim_cannot_probe_another_salespersons_customer(api_client, salesperson, other_salesperson):
    """Claiming an owned customer by id would name its owner and record a conflict: a 404 instead."""
    theirs = CustomerFactory(owner=other_salesperson)
    api_client.force_authenticate(salesperson)
    r = api_client.post(f"/api/v1/customer-pool/{theirs.pk}/claim/")
    assert r.status_code == 404
    assert other_salesperson.get_full_name() not in r.content.decode()
    assert not CustomerConflict.objects.exists()
    assert Customer.objects.get(pk=theirs.pk).owner == other_salesperson


def test_pool_claim_page_cannot_probe_another_salespersons_customer(client, salesperson, other_salesperson):
    theirs = CustomerFactory(owner=other_salesperson)
    client.force_login(salesperson)
    r = client.post(reverse("customers:pool_claim", args=[theirs.pk]))
    assert r.status_code == 404
    assert not CustomerConflict.objects.exists()


def test_late_pool_claim_is_refused_with_a_conflict_only_shortly_after_the_winning_claim(
    api_client, salesperson, other_salesperson
):
    pooled = CustomerFactory(owner=None, unit=None)
    api_client.force_authenticate(salesperson)
    assert api_client.post(f"/api/v1/customer-pool/{pooled.pk}/claim/").status_code == 200
    api_client.force_authenticate(other_salesperson)
    r = api_client.post(f"/api/v1/customer-pool/{pooled.pk}/claim/")
    assert r.status_code == 400 and r.json()["code"] == "already_registered"
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=2)):
        assert api_client.post(f"/api/v1/customer-pool/{pooled.pk}/claim/").status_code == 404
    assert CustomerConflict.objects.count() == 1


def test_own_customer_claim_is_a_400_not_a_404(api_client, salesperson):
    mine = CustomerFactory(owner=salesperson)
    api_client.force_authenticate(salesperson)
    r = api_client.post(f"/api/v1/customer-pool/{mine.pk}/claim/")
    assert r.status_code == 400 and r.json()["code"] == "duplicate"


@pytest.mark.parametrize("param", ["happened_after", "happened_before"])
def test_contact_log_filter_with_an_offset_postgres_cannot_store_is_a_400(api_client, salesperson, param):
    """0201-08-02T23:25:47-16:18 parses in Python; PostgreSQL refused it and the list was a 500."""
    api_client.force_authenticate(salesperson)
    r = api_client.get("/api/v1/contact-logs/", {param: "0201-08-02T23:25:47-16:18"})
    assert r.status_code == 400 and param in r.json()
    assert api_client.get("/api/v1/contact-logs/", {param: "2026-08-02T23:25:47+08:00"}).status_code == 200


def test_contact_log_page_with_an_offset_postgres_cannot_store_is_a_form_error(client, salesperson):
    customer = CustomerFactory(owner=salesperson)
    client.force_login(salesperson)
    url = reverse("customers:log_create", args=[customer.pk])
    r = client.post(url, {"happened_at": "2026-01-01T09:00:00-16:18", "kind": "call", "purpose": "visit"})
    assert r.status_code == 200 and "happened_at" in r.context["form"].errors


# --- permissions: a teammate's customer for a salesperson, another unit's for a manager: 404 everywhere -------

CARD_PAGES = [
    "customers:detail",
    "customers:edit",
    "customers:log_create",
    "customers:strategy",
    "customers:evaluation_create",
    "customers:contact_create",
    "customers:reassign",
    "customers:release",
]
PROBES = [("salesperson", "team"), ("manager", "other"), ("teammate", "mine"), ("other_salesperson", "mine")]


@pytest.mark.parametrize(("role", "target"), PROBES)
def test_every_card_page_is_404_out_of_sight(client, book, request, role, target):
    from customers.models import Contact

    customer = book[target]
    before = (customer.owner_id, Contact.objects.count(), customer.contact_logs.count())
    client.force_login(request.getfixturevalue(role))
    form = {"name": "x", "reason": "x", "kind": "call", "happened_at": "2026-01-01T09:00"}
    for page in CARD_PAGES:
        url = reverse(page, args=[customer.pk])
        if page != "customers:release":  # POST only
            assert client.get(url).status_code == 404, url
        assert client.post(url, form).status_code == 404, url
    contact = customer.contacts.first()
    url = reverse("customers:contact_edit", args=[customer.pk, contact.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "x"}).status_code == 404
    customer.refresh_from_db()
    assert (customer.owner_id, Contact.objects.count(), customer.contact_logs.count()) == before


@pytest.mark.parametrize(("role", "target"), PROBES)
def test_every_customer_endpoint_is_404_out_of_sight(api_client, book, request, role, target):
    from customers.models import ContactLog

    customer = book[target]
    api_client.force_authenticate(request.getfixturevalue(role))
    assert api_client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
    assert api_client.patch(f"/api/v1/customers/{customer.pk}/", {"address": "x"}, format="json").status_code == 404
    assert api_client.get(f"/api/v1/customers/{customer.pk}/contacts/").status_code == 404
    r = api_client.post(f"/api/v1/customers/{customer.pk}/contacts/", {"name": "x"}, format="json")
    assert r.status_code == 404
    log = customer.contact_logs.first()
    assert api_client.get(f"/api/v1/contact-logs/{log.pk}/").status_code == 404
    before = ContactLog.objects.count()
    r = api_client.post("/api/v1/contact-logs/", {"customer": customer.pk, "kind": "call"}, format="json")
    assert r.status_code == 400 and "customer" in r.json()
    assert ContactLog.objects.count() == before
    assert api_client.post(f"/api/v1/customer-pool/{customer.pk}/claim/").status_code == 404
    assert not CustomerConflict.objects.exists()


def test_editing_every_field_at_once_saves_with_a_shortened_history_reason(api_client, salesperson, manager):
    """The history reason listed every changed field and overflowed its varchar(100): a 500 (schemathesis)."""
    customer = CustomerFactory(owner=salesperson)
    MemberLevel.objects.create(name="金卡")
    api_client.force_authenticate(manager)  # may also change the credit terms
    data = {
        "name": "全新名稱股份有限公司",
        "short_name": "全新",
        "tax_id": "04595257",
        "phone": "02-2345-6789",
        "email": "buyer@example.com",
        "address": "台北市信義區",
        "delivery_address": "新北市板橋區",
        "region": "北區",
        "industry": "電子",
        "source": "展覽",
        "status": "active",
        "tier": "member",
        "member_level": "金卡",
        "member_benefits": "九折",
        "credit_rating": "A",
        "is_trusted": True,
        "notes": "重要客戶",
    }
    r = api_client.patch(f"/api/v1/customers/{customer.pk}/", data, format="json")
    assert r.status_code == 200, r.content
    customer.refresh_from_db()
    assert customer.name == "全新名稱股份有限公司"
    reason = customer.history.latest().history_change_reason
    assert reason.startswith("edited: ") and len(reason) <= 100
