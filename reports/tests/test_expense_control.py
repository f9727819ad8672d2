"""Evaluation "expense control": the commission app's approved expense claims against its expense allowance.

Hand-computed fixture, October 2026 (default commission rules: margin < 25 % -> 20 % of gross profit, else 6 %
of sales; no cost recorded -> 6 % of sales):
  A's contracts sold in October: C1 100,000 cost 80,000 (margin 20 %) -> 4,000; C2 50,000 cost 30,000
  (margin 40 %) -> 3,000; C3 10,000 no cost -> 600. Allowance 7,600. C4 (sold in September) and a draft
  of 1,000,000 give nothing.
  A's claims approved in October: 3,000 on C1 + 2,500 on C4 = 5,500 (900 approved on 2 November, 5,000
  pending and 700 rejected do not count). Used 5,500 / 7,600 = 72.4 %, nothing over.
  B: 20,000 sold without cost -> allowance 1,200; 2,000 approved -> 800 over, 166.7 %.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from accounts.tests.factories import SalespersonFactory
from commission.models import ExpenseStatus
from commission.tests.factories import ContractCostFactory, ExpenseClaimFactory
from customers.tests.factories import CustomerFactory
from reports.selectors.evaluation import evaluation_figures
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

TPE = zoneinfo.ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 11, 5, 12, 0, tzinfo=TPE)
OCT = dt.date(2026, 10, 1)


def _contract(owner, *, signed_on, amount, status="filed"):
    return ContractFactory(
        customer=CustomerFactory(owner=owner), status=status, signed_on=signed_on, amount=Decimal(amount)
    )


@pytest.fixture
def people():
    a, b = SalespersonFactory(), SalespersonFactory()
    c1 = _contract(a, signed_on=dt.date(2026, 10, 5), amount="100000")
    ContractCostFactory(contract=c1, cost=Decimal("80000"))
    c2 = _contract(a, signed_on=dt.date(2026, 10, 20), amount="50000", status="signed")
    ContractCostFactory(contract=c2, cost=Decimal("30000"))
    c3 = _contract(a, signed_on=dt.date(2026, 10, 25), amount="10000")
    c4 = _contract(a, signed_on=dt.date(2026, 9, 20), amount="100000")
    _contract(a, signed_on=dt.date(2026, 10, 6), amount="1000000", status="draft")
    ExpenseClaimFactory(contract=c1, amount=Decimal("3000"), decided_on=dt.date(2026, 10, 10))
    ExpenseClaimFactory(contract=c4, amount=Decimal("2500"), decided_on=dt.date(2026, 10, 15))
    ExpenseClaimFactory(contract=c2, amount=Decimal("900"), decided_on=dt.date(2026, 11, 2))
    ExpenseClaimFactory(contract=c2, amount=Decimal("5000"), status=ExpenseStatus.PENDING, decided_on=None)
    ExpenseClaimFactory(contract=c3, amount=Decimal("700"), status=ExpenseStatus.REJECTED, decided_on=OCT)
    b1 = _contract(b, signed_on=dt.date(2026, 10, 8), amount="20000")
    ExpenseClaimFactory(contract=b1, amount=Decimal("2000"), decided_on=dt.date(2026, 10, 9))
    return a, b


@pytest.fixture
def api(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


def test_expense_control_matches_the_hand_computed_month(people):
    a, b = people
    figs = evaluation_figures(user_ids=[a.pk, b.pk], period_type="month", period_start=OCT, now=NOW)
    fa, fb = figs[a.pk], figs[b.pk]
    assert (fa.expenses_approved, fa.expense_allowance) == (Decimal("5500.00"), Decimal("7600.00"))
    assert (fa.expense_excess, fa.expense_used) == (Decimal("0"), Decimal("72.4"))
    assert (fb.expenses_approved, fb.expense_allowance) == (Decimal("2000.00"), Decimal("1200.00"))
    assert (fb.expense_excess, fb.expense_used) == (Decimal("800.00"), Decimal("166.7"))


def test_expense_control_in_the_api_and_pages(people, api, client):
    from accounts.tests.factories import ManagerFactory

    a, b = people
    manager = ManagerFactory(unit=a.unit)
    with time_machine.travel(NOW, tick=False):
        row = api(manager).get(f"/api/v1/evaluations/{a.pk}/?period_type=month&period_start=2026-10-01").json()
        assert row["expense_control"] == {
            "available": True,
            "approved": "5500.00",
            "allowance": "7600.00",
            "excess": "0.00",
            "used": "72.4",
        }
        # the salesperson sees their own figures, not the other's
        assert api(a).get(f"/api/v1/evaluations/{b.pk}/?period_type=month&period_start=2026-10-01").status_code == 404
        client.force_login(manager)
        html = client.get(f"/reports/evaluations/{a.pk}/?period=month&start=2026-10-01").content.decode()
        assert "5,500 / 7,600 (72.4%)" in html
        client.force_login(b)
        html = client.get(f"/reports/evaluations/{b.pk}/?period=month&start=2026-10-01").content.decode()
        # b's own page: the approved 2,000, but not the allowance (1,200) nor the excess (800)
        assert "2,000" in html and "1,200" not in html and "800" not in html and "text-danger" not in html


def test_expense_control_keeps_the_evaluation_query_count_bound(api, django_assert_max_num_queries):
    from accounts.tests.factories import ManagerFactory

    manager = ManagerFactory()

    def add_people(n):
        for _ in range(n):
            sp = SalespersonFactory(unit=manager.unit)
            for day in (3, 12, 21):
                c = _contract(sp, signed_on=dt.date(2026, 10, day), amount="10000")
                ContractCostFactory(contract=c, cost=Decimal("7000"))
                ExpenseClaimFactory(contract=c, amount=Decimal("100"), decided_on=dt.date(2026, 10, day))

    url = "/api/v1/evaluations/?period_type=month&period_start=2026-10-01"
    add_people(2)
    with time_machine.travel(NOW, tick=False):
        client = api(manager)
        client.get(url)  # warm the per-connection settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            assert len(client.get(url).json()) == 2
        add_people(15)
        with django_assert_max_num_queries(len(few.captured_queries)):
            rows = client.get(url).json()
    assert len(rows) == 17
    # 3 x 10,000 at a 30 % margin: 3 x 6 % x 10,000 = 1,800 allowance; 300 approved
    assert {r["expense_control"]["allowance"] for r in rows} == {"1800.00"}
    assert {r["expense_control"]["approved"] for r in rows} == {"300.00"}
