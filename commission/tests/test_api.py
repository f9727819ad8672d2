import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from commission.models import CommissionRuleSet

from .factories import PaymentFactory, sold_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]
URL = "/api/v1/commission-statements/"


@pytest.fixture
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def paid(salesperson, other_salesperson):
    for person in (salesperson, other_salesperson):
        c = sold_contract(owner=person, shipped_on=None)
        PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))


def test_salesperson_lists_only_own(api_client, salesperson, other_salesperson, paid):
    api_client.force_authenticate(salesperson)
    r = api_client.get(URL, {"month": "2026-01"})
    assert r.status_code == 200
    assert [s["salesperson"]["id"] for s in r.data["results"]] == [salesperson.id]
    assert r.data["results"][0]["totals"]["net"] == "1000.00"
    r = api_client.get(URL, {"month": "2026-01", "salesperson": other_salesperson.id})
    assert r.data["results"] == []
    assert api_client.get(f"{URL}{other_salesperson.id}/", {"month": "2026-01"}).status_code == 404
    assert api_client.get(f"{URL}{salesperson.id}/", {"month": "2026-01"}).status_code == 200


def test_finance_filters_by_salesperson_and_month(api_client, finance, salesperson, other_salesperson, paid):
    api_client.force_authenticate(finance)
    r = api_client.get(URL, {"month": "2026-01"})
    assert {s["salesperson"]["id"] for s in r.data["results"]} == {salesperson.id, other_salesperson.id}
    r = api_client.get(URL, {"month": "2026-01", "salesperson": other_salesperson.id})
    assert [s["salesperson"]["id"] for s in r.data["results"]] == [other_salesperson.id]
    assert api_client.get(URL, {"month": "2026-02"}).data["results"] == []


def test_manager_sees_unit(api_client, manager, salesperson, other_salesperson, paid):
    api_client.force_authenticate(manager)
    r = api_client.get(URL, {"month": "2026-01"})
    assert [s["salesperson"]["id"] for s in r.data["results"]] == [salesperson.id]
    assert api_client.get(f"{URL}{other_salesperson.id}/", {"month": "2026-01"}).status_code == 404


def test_bad_input_is_400(api_client, finance):
    api_client.force_authenticate(finance)
    r = api_client.get(URL, {"month": "January"})
    assert r.status_code == 400 and "month" in r.data
    assert api_client.get(URL, {"salesperson": "x"}).status_code == 400


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)
    assert api_client.get("/api/v1/commission-rules/").status_code in (401, 403)


def test_rules_readable_by_all_and_added_by_admins(api_client, salesperson, admin_user):
    api_client.force_authenticate(salesperson)
    r = api_client.get("/api/v1/commission-rules/")
    assert r.status_code == 200
    assert r.data["results"][0]["commission_percent"] == "50.000"
    start = timezone.localdate() + dt.timedelta(days=30)  # a new version starts after today
    payload = {"name": "next", "effective_from": start.isoformat(), "commission_percent": "45"}
    r = api_client.post("/api/v1/commission-rules/", payload, format="json")
    assert r.status_code == 403 and r.data["code"] == "forbidden"
    api_client.force_authenticate(admin_user)
    r = api_client.post("/api/v1/commission-rules/", payload, format="json")
    assert r.status_code == 201
    assert CommissionRuleSet.objects.get(effective_from=start).commission_percent == Decimal("45")
    r = api_client.post("/api/v1/commission-rules/", payload, format="json")
    assert r.status_code == 400 and "effective_from" in r.data
    r = api_client.post(
        "/api/v1/commission-rules/",
        {**payload, "effective_from": (start + dt.timedelta(days=365)).isoformat(), "commission_percent": "150"},
        format="json",
    )
    assert r.status_code == 400 and "commission_percent" in r.data
    # The rules in force are never changed retroactively: a version starting today or before is refused.
    r = api_client.post("/api/v1/commission-rules/", {**payload, "effective_from": timezone.localdate().isoformat()})
    assert r.status_code == 400 and "effective_from" in r.data


def test_api_queries_do_not_grow_with_rows(api_client, finance, unit, django_assert_max_num_queries):
    for _ in range(15):
        person = SalespersonFactory(unit=unit)
        for _k in range(3):
            c = sold_contract(owner=person)
            PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("6000.00"))
    api_client.force_authenticate(finance)
    # 16: + the contracts' approved returns (退貨) and bad-debt write-offs, one flat query each, less one shared
    with django_assert_max_num_queries(16):
        r = api_client.get(URL, {"month": "2026-02"})
    assert len(r.data["results"]) == 15


EXPENSES = "/api/v1/commission-expenses/"


def test_expense_api_submit_and_manager_decides(api_client, salesperson, other_salesperson, manager):
    contract = sold_contract(owner=salesperson)
    theirs = sold_contract(owner=other_salesperson)
    api_client.force_authenticate(salesperson)
    payload = {
        "contract": contract.id,
        "kind": "claim",
        "amount": "120.50",
        "description": "餐敘",
        "incurred_on": "2026-03-01",
    }
    r = api_client.post(EXPENSES, payload, format="json")
    assert r.status_code == 201 and r.data["status"] == "pending"
    claim_id = r.data["id"]
    r = api_client.post(EXPENSES, {**payload, "contract": theirs.id}, format="json")
    assert r.status_code == 400 and "contract" in r.data
    r = api_client.post(EXPENSES, {**payload, "amount": "-1"}, format="json")
    assert r.status_code == 400 and "amount" in r.data
    assert api_client.post(f"{EXPENSES}{claim_id}/approve/", {}, format="json").status_code == 403
    api_client.force_authenticate(other_salesperson)
    assert api_client.get(f"{EXPENSES}{claim_id}/").status_code == 404
    assert api_client.get(EXPENSES).data["results"] == []
    api_client.force_authenticate(manager)
    r = api_client.post(f"{EXPENSES}{claim_id}/reject/", {}, format="json")
    assert r.status_code == 400 and "decision_note" in r.data
    r = api_client.post(f"{EXPENSES}{claim_id}/approve/", {"note": "ok"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "approved"
    assert r.data["decided_on"] == "2026-03-05"


def test_expense_api_list_queries(api_client, finance, salesperson, django_assert_max_num_queries):
    from .factories import ExpenseClaimFactory

    for _ in range(30):
        ExpenseClaimFactory(contract=sold_contract(owner=SalespersonFactory()))
    api_client.force_authenticate(finance)
    with django_assert_max_num_queries(6):
        r = api_client.get(EXPENSES)
    assert len(r.data["results"]) == 30
