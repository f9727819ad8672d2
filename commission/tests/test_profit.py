"""Profit contribution (利潤貢獻) per salesperson, customer, product and unit: hand-computed figures and the
permission matrix (it shows cost: managers and above only; salespeople get 404 on pages, 403 on the API)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from commission.selectors import profit_contribution
from commission.tests.factories import ContractCostFactory, ExpenseClaimFactory, StaffFactory
from core.exceptions import PermissionDenied
from customers.tests.factories import CustomerFactory
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

pytestmark = pytest.mark.django_db
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
QUERY = "?period=month&start=2026-10-01"


def _contract(owner, customer, amount, lines):
    k = ContractFactory(
        customer=customer,
        owner=owner,
        unit=owner.unit,
        status="signed",
        signed_on=dt.date(2026, 10, 10),
        amount=Decimal(amount),
    )
    for product, qty, unit_cost in lines:
        ContractLineFactory(
            contract=k,
            product=product,
            quantity=Decimal(qty),
            unit_price=Decimal("10000"),
            unit_cost=Decimal(unit_cost),
        )
    return k


@pytest.fixture
def october(salesperson, teammate, other_salesperson):
    p1, p2 = ProductFactory(code="P1", name="泵"), ProductFactory(code="P2", name="閥")
    c1, c2 = CustomerFactory(owner=salesperson, name="甲公司"), CustomerFactory(owner=salesperson, name="乙公司")
    # K1: 100,000; line costs 6 × 7,000 + 4 × 5,000 = 62,000; an approved expense of 3,000 (a pending one ignored).
    k1 = _contract(salesperson, c1, "100000", [(p1, "6", "7000"), (p2, "4", "5000")])
    ExpenseClaimFactory(contract=k1, amount=Decimal("3000"))
    ExpenseClaimFactory(contract=k1, amount=Decimal("999"), status="pending", decided_on=None)
    # K2: 50,000; finance recorded a cost of 30,000 (the lines carry none).
    k2 = _contract(salesperson, c2, "50000", [(p2, "5", "0")])
    ContractCostFactory(contract=k2, cost=Decimal("30000"))
    # K3: the teammate's 20,000 with no cost recorded anywhere.
    _contract(teammate, c1, "20000", [(p1, "2", "0")])
    # K4: another unit's 10,000 with a cost of 4,000.
    _contract(other_salesperson, CustomerFactory(owner=other_salesperson), "10000", [(p1, "1", "4000")])
    # Not in October, or not sold: never counted.
    k5 = _contract(salesperson, c1, "70000", [(p1, "7", "1")])
    k5.signed_on = dt.date(2026, 11, 1)
    k5.save()
    _contract(salesperson, c1, "80000", [(p1, "8", "1")]).__class__.objects.filter(amount=80000).update(status="draft")
    return {"p1": p1, "p2": p2, "c1": c1}


def _by(rows):
    return {r.label: r for r in rows}


def test_by_salesperson_for_the_manager_of_the_unit(manager, salesperson, teammate, october):
    rows = _by(profit_contribution(viewer=manager, start=OCT[0], end=OCT[1], by="salesperson"))
    me = rows[salesperson.get_full_name()]
    # 150,000 − (62,000 + 30,000) = 58,000 gross profit; − 3,000 expenses = 55,000; ÷ 150,000 = 36.7 %.
    assert (me.sales, me.cost, me.gross_profit, me.expenses, me.contribution, me.margin) == (
        Decimal("150000"),
        Decimal("92000"),
        Decimal("58000"),
        Decimal("3000"),
        Decimal("55000"),
        Decimal("36.7"),
    )
    mate = rows[teammate.get_full_name()]
    assert mate.uncosted_sales == Decimal("20000") and mate.contribution == 0 and mate.margin is None
    assert len(rows) == 2  # the other unit's contract is not the manager's to see


def test_by_product_shares_contract_costs_and_expenses_by_line_amount(manager, october):
    rows = profit_contribution(viewer=manager, start=OCT[0], end=OCT[1], by="product")
    p1, p2 = _by(rows)["P1 泵"], _by(rows)["P2 閥"]
    # P1: K1's 60,000 at 42,000 with 60 % of the 3,000 expense; K3's 20,000 uncosted → 18,000 − 1,800 = 16,200.
    assert (p1.sales, p1.cost, p1.expenses, p1.uncosted_sales, p1.contribution, p1.margin) == (
        Decimal("80000"),
        Decimal("42000"),
        Decimal("1800.00"),
        Decimal("20000"),
        Decimal("16200.00"),
        Decimal("27.0"),
    )
    # P2: K1's 40,000 at 20,000 with 1,200; K2's 50,000 carries all of finance's 30,000 → 40,000 − 1,200 = 38,800.
    assert (p2.sales, p2.cost, p2.contribution, p2.margin) == (
        Decimal("90000"),
        Decimal("50000.00"),
        Decimal("38800.00"),
        Decimal("43.1"),
    )
    assert [r.label for r in rows] == ["P2 閥", "P1 泵"]  # the largest contribution first


def test_by_customer_and_unit_for_the_gm_office(gm, salesperson, other_salesperson, october):
    customers = {r.key: r for r in profit_contribution(viewer=gm, start=OCT[0], end=OCT[1], by="customer")}
    # 甲公司: K1 (100,000 − 62,000 − 3,000 = 35,000) and K3 (20,000 uncosted).
    first = customers[october["c1"].pk]
    assert first.contribution == Decimal("35000") and first.uncosted_sales == Decimal("20000")
    units = {r.key: r for r in profit_contribution(viewer=gm, start=OCT[0], end=OCT[1], by="unit")}
    assert units[salesperson.unit_id].contribution == Decimal("55000")
    assert units[other_salesperson.unit_id].contribution == Decimal("6000")
    assert units[other_salesperson.unit_id].margin == Decimal("60.0")


ROLES = ["salesperson", "teammate", "staff", "manager", "gm", "finance", "admin"]
ALLOWED = {"manager", "gm", "finance", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request, role, client, api_client, october, django_assert_max_num_queries):
    user = {"staff": lambda: StaffFactory(), "admin": lambda: AdminFactory()}.get(
        role, lambda: request.getfixturevalue(role)
    )()
    client.force_login(user)
    api_client.force_authenticate(user)
    page = client.get(reverse("commission:profit") + QUERY + "&by=salesperson")
    xlsx = client.get(reverse("commission:profit") + QUERY + "&format=xlsx")
    api = api_client.get("/api/v1/profit-contribution/?period_type=month&period_start=2026-10-01")
    nav = client.get(reverse("commission:expenses"))
    if role in ALLOWED:
        assert page.status_code == 200 and xlsx.status_code == 200 and api.status_code == 200
        assert b"92,000.00" in page.content  # the salesperson's cost of goods
        with django_assert_max_num_queries(12):
            client.get(reverse("commission:profit") + QUERY + "&by=customer")
    else:
        assert (page.status_code, xlsx.status_code, api.status_code) == (404, 404, 403)
        assert b"92,000" not in page.content + xlsx.content + api.content
        assert b"92000" not in api.content
        assert reverse("commission:profit").encode() not in nav.content  # no link either
        with pytest.raises(PermissionDenied):
            profit_contribution(viewer=user, start=OCT[0], end=OCT[1])
