"""The collections workbench, statement of account, contract panel: pages, API, export, visibility, queries."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from customers.tests.factories import CustomerFactory
from receivables.selectors import Filters, statement_of_account, workbench

from .factories import InvoiceFactory, PaymentFactory, ShipmentFactory, sold_contract

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 6, 30, 4, tzinfo=dt.UTC), tick=False):
        yield


def book(owner, *, shipped_days_ago, n=1, paid="0", retention="0", name=None):
    out = []
    for _ in range(n):
        c = sold_contract(
            owner=owner,
            shipped_on=None,
            retention=retention,
            signed_on=TODAY - dt.timedelta(days=400),
            **({"customer__name": name} if name else {}),
        )
        ShipmentFactory(contract=c, shipped_on=TODAY - dt.timedelta(days=shipped_days_ago), amount=c.amount)
        if D(paid) > 0:
            PaymentFactory(contract=c, paid_on=TODAY - dt.timedelta(days=1), amount=D(paid))
        out.append(c)
    return out


def test_workbench_filters_sorts_totals_and_visibility(clock, salesperson, other_salesperson, finance, unit):
    old = book(salesperson, shipped_days_ago=150)  # shipped 31 Jan, due 31 Mar: 91 days past due
    new = book(salesperson, shipped_days_ago=10, paid="2000")  # not yet due
    theirs = book(other_salesperson, shipped_days_ago=100)
    data = workbench(user=finance, filters=Filters())
    assert data.count == 3 and data.totals["balance"] == D("12000") * 3 - D("2000")
    assert data.totals["overdue"] == D("24000.00")
    by_age = workbench(user=finance, filters=Filters(sort="age"))
    assert [r.contract.pk for r in by_age.rows] == [old[0].pk, theirs[0].pk, new[0].pk]
    by_amount = workbench(user=finance, filters=Filters(sort="amount"))
    assert by_amount.rows[-1].contract.pk == new[0].pk
    assert [r.contract.pk for r in workbench(user=finance, filters=Filters(bucket="91-180")).rows] == [old[0].pk]
    assert [r.contract.pk for r in workbench(user=finance, filters=Filters(bucket="current")).rows] == [new[0].pk]
    assert workbench(user=finance, filters=Filters(owner_id=other_salesperson.pk)).count == 1
    assert workbench(user=finance, filters=Filters(retention_only=True)).count == 0
    mine = workbench(user=salesperson, filters=Filters())
    assert {r.contract.pk for r in mine.rows} == {old[0].pk, new[0].pk}
    assert workbench(user=salesperson, filters=Filters(owner_id=other_salesperson.pk)).count == 0


def test_retention_only_filter(clock, finance, salesperson):
    (c,) = book(salesperson, shipped_days_ago=30, paid="10800", retention="1200")
    book(salesperson, shipped_days_ago=30, paid="12000")
    data = workbench(user=finance, filters=Filters(retention_only=True))
    assert [r.contract.pk for r in data.rows] == [c.pk] and data.totals["retention"] == D("1200.00")


def test_workbench_page_export_and_queries(clock, client, finance, salesperson, django_assert_max_num_queries):
    book(salesperson, shipped_days_ago=150, n=3, name="=HYPERLINK(1)")
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("receivables:workbench"), {"sort": "age"})
    assert r.status_code == 200 and "36,000.00" in r.content.decode()
    book(salesperson, shipped_days_ago=150, n=12)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("receivables:workbench")).status_code == 200
    r = client.get(reverse("receivables:workbench_export"))
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert len(rows) == 1 + 15 + 1 and rows[-1][4] == 180000
    assert any(row[1] == "'=HYPERLINK(1)" for row in rows)  # never a live formula
    assert client.get(reverse("receivables:workbench"), {"page": "x", "bucket": "nope"}).status_code == 200


def test_salesperson_sees_only_their_customers(clock, client, salesperson, other_salesperson):
    (theirs,) = book(other_salesperson, shipped_days_ago=100)
    (mine,) = book(salesperson, shipped_days_ago=100)
    client.force_login(salesperson)
    html = client.get(reverse("receivables:workbench")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert client.get(reverse("receivables:statement", args=[theirs.customer_id])).status_code == 404
    assert client.get(reverse("receivables:contract_panel", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("receivables:statement", args=[mine.customer_id])).status_code == 200
    assert client.get(f"/api/v1/receivables/{theirs.pk}/").status_code in (401, 403, 404)


def test_api_workbench_position_statement(
    clock, api_client, finance, salesperson, other_salesperson, django_assert_max_num_queries
):
    (c,) = book(salesperson, shipped_days_ago=100, paid="2000")
    book(other_salesperson, shipped_days_ago=5)
    api_client.force_authenticate(finance)
    with django_assert_max_num_queries(6):
        body = api_client.get("/api/v1/receivables/", {"sort": "age"}).json()
    assert body["count"] == 2 and body["results"][0]["contract"] == c.pk and body["totals"]["overdue"] == "10000.00"
    assert api_client.get("/api/v1/receivables/", {"page": "0"}).status_code == 400
    pos = api_client.get(f"/api/v1/receivables/{c.pk}/").json()
    assert pos["overdue"] == "10000.00" and pos["shipments"][0]["bucket"] == "31-60"
    with django_assert_max_num_queries(13):  # bounded: customer, policy, contracts, facts (5), lines (3)
        soa = api_client.get(f"/api/v1/receivables-statements/{c.customer_id}/").json()
    assert soa["balance"] == "10000.00" and soa["lines"][0]["kind"] == "payment"
    api_client.force_authenticate(salesperson)
    assert api_client.get("/api/v1/receivables/").json()["count"] == 1
    assert api_client.get(f"/api/v1/receivables-statements/{c.customer_id}/").status_code == 200
    api_client.force_authenticate(other_salesperson)
    assert api_client.get(f"/api/v1/receivables/{c.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/receivables-statements/{c.customer_id}/").status_code == 404


def test_statement_of_account_lines_balance_and_aging(clock, salesperson):
    (c,) = book(salesperson, shipped_days_ago=100)
    InvoiceFactory(contract=c, issued_on=TODAY - dt.timedelta(days=100), amount=D("12000"))
    PaymentFactory(contract=c, paid_on=TODAY - dt.timedelta(days=3), amount=D("5000"))
    soa = statement_of_account(c.customer, TODAY)
    assert [(ln.kind, ln.debit, ln.credit, ln.balance) for ln in soa.lines] == [
        ("invoice", D("12000.00"), D("0"), D("12000.00")),
        ("payment", D("0"), D("5000.00"), D("7000.00")),
    ]
    assert soa.balance == D("7000.00") and dict(soa.aging)["31-60"] == D("7000.00") and soa.overdue == D("7000.00")
    with pytest.raises(AttributeError):
        soa.balance = D("0")  # frozen: the PDF renderer reads it as it is


def test_contract_panel_in_both_languages(clock, client, salesperson):
    (c,) = book(salesperson, shipped_days_ago=100)
    client.force_login(salesperson)
    r = client.get(reverse("receivables:contract_panel", args=[c.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "12,000.00" in r.content.decode()
    client.cookies["django_language"] = "zh-hant"
    r = client.get(reverse("receivables:contract_panel", args=[c.pk]), headers={"Accept-Language": "zh-hant"})
    assert r.status_code == 200


def test_customer_without_contracts_has_an_empty_statement(clock, salesperson):
    soa = statement_of_account(CustomerFactory(owner=salesperson), TODAY)
    assert soa.lines == () and soa.balance == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("salesperson", 200), ("manager", 200), ("gm", 200), ("finance", 200), ("admin_user", 200)],
)
def test_workbench_for_every_role(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("receivables:workbench")).status_code == status
    assert client.get(reverse("receivables:workbench_export")).status_code == status


def test_workbench_refuses_staff(client):
    from commission.tests.factories import StaffFactory

    client.force_login(StaffFactory())
    assert client.get(reverse("receivables:workbench")).status_code == 403
