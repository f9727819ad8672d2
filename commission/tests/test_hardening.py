"""Bad ids and permission probes on commission pages and endpoints (found fuzzing the API)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import ManagerFactory
from commission.models import ExpenseClaim, ExpenseStatus

from .factories import ExpenseClaimFactory, PaymentFactory, sold_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]
OUTSIDERS = ["teammate", "other_salesperson", "other_manager"]


@pytest.fixture
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def other_manager(other_unit):
    return ManagerFactory(unit=other_unit)


@pytest.fixture
def mine(salesperson):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    claim = ExpenseClaimFactory(contract=contract, status=ExpenseStatus.PENDING, decided_on=None)
    return {"contract": contract, "claim": claim}


@pytest.mark.parametrize("pk", ["²", "١", "abc", str(10**30)])
def test_statement_with_a_non_ascii_or_huge_id_is_404_not_500(api_client, finance, pk):
    api_client.force_authenticate(finance)
    assert api_client.get(f"/api/v1/commission-statements/{pk}/").status_code == 404


@pytest.mark.parametrize("person", ["²", "-1", "1.5", str(10**30)])
def test_statement_list_with_a_bad_salesperson_filter_is_a_400(api_client, finance, person):
    api_client.force_authenticate(finance)
    r = api_client.get("/api/v1/commission-statements/", {"salesperson": person})
    assert r.status_code == 400 and "salesperson" in r.json()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_commission_pages(client, request, role, salesperson, mine):
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("commission:statement", args=[salesperson.pk, "2026-01"]),
        reverse("commission:statement_print", args=[salesperson.pk, "2026-01"]),
        reverse("commission:contract", args=[mine["contract"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    r = client.post(reverse("commission:expense_decide", args=[mine["claim"].pk]), {"approve": "1", "note": "x"})
    assert r.status_code == 404
    assert ExpenseClaim.objects.get(pk=mine["claim"].pk).status == ExpenseStatus.PENDING


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_commission_endpoints(api_client, request, role, salesperson, mine):
    api_client.force_authenticate(request.getfixturevalue(role))
    assert api_client.get(f"/api/v1/commission-statements/{salesperson.pk}/", {"month": "2026-01"}).status_code == 404
    rows = api_client.get("/api/v1/commission-statements/", {"month": "2026-01"}).json()["results"]
    assert salesperson.pk not in {row.get("salesperson_id", row.get("salesperson")) for row in rows}
    claim = mine["claim"].pk
    assert api_client.get(f"/api/v1/commission-expenses/{claim}/").status_code == 404
    assert claim not in {row["id"] for row in api_client.get("/api/v1/commission-expenses/").json()["results"]}
    for verb in ("approve", "reject"):
        assert api_client.post(f"/api/v1/commission-expenses/{claim}/{verb}/", {}, format="json").status_code == 404
    r = api_client.post(
        "/api/v1/commission-expenses/",
        {
            "contract": mine["contract"].pk,
            "kind": "claim",
            "amount": "10",
            "description": "x",
            "incurred_on": "2026-01-05",
        },
        format="json",
    )
    assert r.status_code == 400 and "contract" in r.json()
    assert ExpenseClaim.objects.count() == 1


def test_own_manager_sees_the_statement(api_client, manager, salesperson, mine):
    api_client.force_authenticate(manager)
    assert api_client.get(f"/api/v1/commission-statements/{salesperson.pk}/", {"month": "2026-01"}).status_code == 200


@pytest.mark.parametrize("amount", ["-10", "0", "abc", "1e400", "123456789012345.00"])
def test_expense_with_a_bad_amount_is_a_400_naming_it_and_saves_nothing(api_client, salesperson, mine, amount):
    api_client.force_authenticate(salesperson)
    r = api_client.post(
        "/api/v1/commission-expenses/",
        {
            "contract": mine["contract"].pk,
            "kind": "claim",
            "amount": amount,
            "description": "x",
            "incurred_on": "2026-01-05",
        },
        format="json",
    )
    assert r.status_code == 400 and "amount" in r.json()
    assert ExpenseClaim.objects.count() == 1
