"""The evaluation does not give a salesperson the expense allowance, from which the cost follows.

The attack: one contract of 123,450 sold in October 2026 at a cost of 101,230 (gross profit 22,220, margin 18 %,
below the 25 % of the expense rule) has an allowance of 20 % x 22,220 = 4,444.00. A salesperson who knows the
amount sees that 4,444 is not 6 % of 123,450 (7,407), so the low-margin branch applied, and 4,444 / 20 % = 22,220
gives the gross profit, so the cost 101,230. With 5,555 approved the excess 1,111.00 gives the allowance back
(5,555 − 1,111), and so does the share used (125.0 %). Each surface (page, list, XLSX, API list and detail)
is checked for all three; the control shows a manager, and a salesperson once the admin lets salespeople see
cost, do get them.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from commission.tests.factories import ContractCostFactory, ExpenseClaimFactory
from customers.tests.factories import CustomerFactory
from sales.models import SalesPolicy
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 5, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))
ALLOWANCE = ("4,444", "4444")
EXCESS = ("1,111", "1111")
USED = ("125.0", "125%")
SECRETS = ALLOWANCE + EXCESS + USED
PERIOD = "period=month&start=2026-10-01"
API_PERIOD = "period_type=month&period_start=2026-10-01"


@pytest.fixture
def seller():
    sp = SalespersonFactory()
    contract = ContractFactory(
        customer=CustomerFactory(owner=sp), status="filed", signed_on=dt.date(2026, 10, 5), amount=Decimal("123450")
    )
    ContractCostFactory(contract=contract, cost=Decimal("101230"))
    ExpenseClaimFactory(contract=contract, amount=Decimal("5555"), decided_on=dt.date(2026, 10, 10))
    return sp


@pytest.fixture
def manager(seller):
    return ManagerFactory(unit=seller.unit)


@pytest.fixture
def cost_shown_to_salespeople():
    return SalesPolicy.objects.create(effective_from=dt.date(2000, 1, 1), salespeople_see_cost=True)


def _page(client, user, url):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _xlsx_text(response) -> str:
    sheet = load_workbook(BytesIO(response.content)).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def _api(api_client, user, url):
    api_client.force_authenticate(user)
    with time_machine.travel(NOW, tick=False):
        response = api_client.get(url)
    assert response.status_code == 200
    return response.json()


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_evaluation_page_shows_the_salesperson_approved_expenses_but_no_allowance(client, seller):
    html = _page(client, seller, f"/reports/evaluations/{seller.pk}/?{PERIOD}").content.decode()
    assert "5,555" in html
    assert _leaks(html) == []
    assert "expense allowance is confidential" in html


def test_evaluation_list_shows_the_salesperson_no_allowance(client, seller):
    html = _page(client, seller, f"/reports/evaluations/?{PERIOD}").content.decode()
    assert "5,555" in html
    assert _leaks(html) == []


def test_evaluation_xlsx_has_no_allowance_columns_for_the_salesperson(client, seller):
    response = _page(client, seller, f"/reports/evaluations/?{PERIOD}&format=xlsx")
    text = _xlsx_text(response)
    assert "5555" in text
    assert "Expense allowance" not in text and "allowance %" not in text
    assert _leaks(text) == []


def test_evaluation_api_withholds_the_allowance_from_the_salesperson(api_client, seller):
    for url in (f"/api/v1/evaluations/?{API_PERIOD}", f"/api/v1/evaluations/{seller.pk}/?{API_PERIOD}"):
        data = _api(api_client, seller, url)
        row = data[0] if isinstance(data, list) else data
        assert row["expense_control"] == {
            "available": False,
            "approved": "5555.00",
            "allowance": None,
            "excess": None,
            "used": None,
        }
        assert _leaks(str(data)) == []


def test_evaluation_in_the_other_language_leaks_nothing_either(client, seller):
    seller.language = "zh-hant"
    seller.save(update_fields=["language"])
    html = _page(client, seller, f"/reports/evaluations/{seller.pk}/?{PERIOD}").content.decode()
    assert "費用額度屬機密資訊" in html
    assert _leaks(html) == []


# --- control: those who may see cost do get the figures ---------------------------------------------------------


def test_the_manager_sees_the_allowance_on_every_surface(client, api_client, seller, manager):
    html = _page(client, manager, f"/reports/evaluations/{seller.pk}/?{PERIOD}").content.decode()
    assert "4,444" in html and "1,111" in html and "125.0" in html
    assert "4,444" in _page(client, manager, f"/reports/evaluations/?{PERIOD}").content.decode()
    text = _xlsx_text(_page(client, manager, f"/reports/evaluations/?{PERIOD}&format=xlsx"))
    assert "Expense allowance" in text and "4444" in text
    row = _api(api_client, manager, f"/api/v1/evaluations/{seller.pk}/?{API_PERIOD}")
    assert row["expense_control"] == {
        "available": True,
        "approved": "5555.00",
        "allowance": "4444.00",
        "excess": "1111.00",
        "used": "125.0",
    }


def test_with_cost_shown_to_salespeople_the_salesperson_sees_the_allowance(
    client, api_client, seller, cost_shown_to_salespeople
):
    html = _page(client, seller, f"/reports/evaluations/{seller.pk}/?{PERIOD}").content.decode()
    assert "4,444" in html and "1,111" in html
    row = _api(api_client, seller, f"/api/v1/evaluations/{seller.pk}/?{API_PERIOD}")
    assert row["expense_control"]["allowance"] == "4444.00"
    assert "Expense allowance" in _xlsx_text(_page(client, seller, f"/reports/evaluations/?{PERIOD}&format=xlsx"))
