import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from accounts.tests.factories import SalespersonFactory
from commission.models import ClosedMonth, ContractCost, CooperationBonus, ExpenseClaim, ExpenseStatus
from sales.models import SalesPolicy

from .factories import ContractCostFactory, ExpenseClaimFactory, PaymentFactory, StaffFactory, sold_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def paid(salesperson, teammate, other_salesperson):
    out = {}
    for person in (salesperson, teammate, other_salesperson):
        c = sold_contract(owner=person, shipped_on=None)
        ContractCostFactory(contract=c, cost=Decimal("9500.00"))
        ExpenseClaimFactory(contract=c, amount=Decimal("1000.00"))
        PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
        out[person.id] = c
    return out


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_salesperson_sees_only_own_statement(client, salesperson, other_salesperson, teammate, paid):
    r = get(client, salesperson, "/commission/?month=2026-01")
    assert r.status_code == 200
    people = [s["salesperson"]["id"] for s in r.context["statements"]]
    assert people == [salesperson.id]
    assert get(client, salesperson, f"/commission/statements/{salesperson.id}/2026-01/").status_code == 200
    for other in (other_salesperson, teammate):
        assert get(client, salesperson, f"/commission/statements/{other.id}/2026-01/").status_code == 404
        assert get(client, salesperson, f"/commission/statements/{other.id}/2026-01/print/").status_code == 404


def test_salesperson_never_sees_cost_but_manager_does(client, salesperson, manager, paid):
    url = f"/commission/statements/{salesperson.id}/2026-01/"
    own = get(client, salesperson, url).content.decode()
    assert "Expense excess" in own
    assert "9,500.00" not in own and "gross profit 2,500.00" not in own
    mgr = get(client, manager, url).content.decode()
    assert "9,500.00" in mgr


def test_manager_sees_the_unit(client, manager, salesperson, teammate, other_salesperson, paid):
    r = get(client, manager, "/commission/?month=2026-01")
    assert {s["salesperson"]["id"] for s in r.context["statements"]} == {salesperson.id, teammate.id}
    assert get(client, manager, f"/commission/statements/{other_salesperson.id}/2026-01/").status_code == 404


@pytest.mark.parametrize("role", ["gm", "finance", "admin_user"])
def test_company_wide_roles_see_everyone(client, request, role, salesperson, teammate, other_salesperson, paid):
    user = request.getfixturevalue(role)
    r = get(client, user, "/commission/?month=2026-01")
    assert {s["salesperson"]["id"] for s in r.context["statements"]} == {
        salesperson.id,
        teammate.id,
        other_salesperson.id,
    }
    assert get(client, user, "/commission/summary/?month=2026-01").status_code == 200


def test_statement_page_in_chinese(client, salesperson, paid):
    salesperson.language = "zh-hant"
    salesperson.save()
    client.force_login(salesperson)
    r = client.get(f"/commission/statements/{salesperson.id}/2026-01/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    body = r.content.decode()
    assert "提成發放" in body  # the line label
    assert "超價部分 2,000.00 × 50 % = 提成 1,000.00" in body  # the explanation
    assert "本月應發提成" in body  # the totals


def test_xlsx_export_has_summary_and_one_sheet_per_person(client, finance, salesperson, teammate, paid):
    r = get(client, finance, "/commission/export/2026-01.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 1 + 3
    summary = wb[wb.sheetnames[0]]
    nets = [row[7] for row in summary.iter_rows(min_row=3, values_only=True)]
    # 1,000 commission − (1,000 expenses − 20 % of 2,500 gross profit = 500 allowance) = 500
    assert nets == [500, 500, 500]
    sheet = wb[wb.sheetnames[1]]
    texts = [row[5] for row in sheet.iter_rows(min_row=3, values_only=True) if row and len(row) > 5 and row[5]]
    assert any("2,000.00 × 50 %" in t for t in texts)


def test_export_forbidden_for_salespeople(client, salesperson, paid):
    assert get(client, salesperson, "/commission/export/2026-01.xlsx").status_code == 403
    assert get(client, salesperson, "/commission/summary/").status_code == 403


def test_finance_closes_a_month_from_the_page(client, finance, salesperson, paid):
    client.force_login(finance)
    assert "close-form" in client.get("/commission/?month=2026-02").content.decode()
    assert "close-form" not in client.get("/commission/?month=2026-03").content.decode()  # not ended yet
    r = client.post("/commission/close/", {"month": "2026-01"})
    assert r.status_code == 302
    assert ClosedMonth.objects.filter(month=dt.date(2026, 1, 1)).exists()
    r = client.get("/commission/?month=2026-01")
    assert "frozen" in r.content.decode()


def test_salesperson_cannot_close(client, salesperson, paid):
    client.force_login(salesperson)
    r = client.post("/commission/close/", {"month": "2026-01"}, follow=True)
    assert r.status_code == 403
    assert not ClosedMonth.objects.exists()
    assert "Only finance" in r.content.decode()


def test_summary_reports_market_fund(client, finance, paid):
    r = get(client, finance, "/commission/summary/?month=2026-01")
    total = r.context["total"]
    assert total.sales == Decimal("36000.00")
    assert total.market_fund == Decimal("720.00")
    assert total.net == Decimal("1500.00")


def test_expense_flow_needs_manager_approval(client, salesperson, manager, other_salesperson):
    contract = sold_contract(owner=salesperson)
    client.force_login(salesperson)
    r = client.post(
        "/commission/expenses/",
        {
            "contract": contract.id,
            "kind": "advance",
            "amount": "350.50",
            "description": "參展",
            "incurred_on": "2026-03-01",
        },
    )
    assert r.status_code == 302, r.content
    claim = ExpenseClaim.objects.get()
    assert claim.status == ExpenseStatus.PENDING
    # Not on someone else's contract.
    theirs = sold_contract(owner=other_salesperson)
    r = client.post(
        "/commission/expenses/",
        {"contract": theirs.id, "kind": "claim", "amount": "10", "description": "x", "incurred_on": "2026-03-01"},
    )
    assert r.status_code == 200 and ExpenseClaim.objects.count() == 1
    # The salesperson cannot approve their own.
    client.post(f"/commission/expenses/{claim.id}/decide/", {"decision": "approve"})
    claim.refresh_from_db()
    assert claim.status == ExpenseStatus.PENDING
    # Another unit's salesperson does not even see it.
    assert get(client, other_salesperson, "/commission/expenses/").context["claims"] == []
    assert client.post(f"/commission/expenses/{claim.id}/decide/", {"decision": "approve"}).status_code == 404
    client.force_login(manager)
    assert [c.id for c in client.get("/commission/expenses/").context["to_decide"]] == [claim.id]
    client.post(f"/commission/expenses/{claim.id}/decide/", {"decision": "reject"})
    claim.refresh_from_db()
    assert claim.status == ExpenseStatus.PENDING  # rejecting needs a reason
    client.post(f"/commission/expenses/{claim.id}/decide/", {"decision": "approve", "note": "ok"})
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by_id, claim.decided_on) == (
        ExpenseStatus.APPROVED,
        manager.id,
        dt.date(2026, 3, 5),
    )


def test_contract_page_permissions_and_cost(client, salesperson, other_salesperson, finance, manager):
    contract = sold_contract(owner=salesperson)
    r = get(client, salesperson, f"/commission/contracts/{contract.id}/")
    assert r.status_code == 200
    assert "cost-form" not in r.content.decode() and "Cost of goods" not in r.content.decode()
    assert get(client, other_salesperson, f"/commission/contracts/{contract.id}/").status_code == 404
    client.force_login(finance)
    r = client.post(f"/commission/contracts/{contract.id}/", {"save_cost": "1", "cost": "8000", "note": ""})
    assert r.status_code == 302
    assert ContractCost.objects.get(contract=contract).cost == Decimal("8000.00")
    staff = StaffFactory()
    client.force_login(manager)
    r = client.post(
        f"/commission/contracts/{contract.id}/",
        {"save_bonus": "1", "staff": staff.id, "rate_percent": "2", "basis": "sales"},
    )
    assert r.status_code == 302
    assert CooperationBonus.objects.get(contract=contract).staff == staff
    # A manager may set bonuses but not costs.
    r = client.post(f"/commission/contracts/{contract.id}/", {"save_cost": "1", "cost": "1"})
    assert r.status_code == 403
    # A salesperson posting a cost is refused.
    client.force_login(salesperson)
    r = client.post(f"/commission/contracts/{contract.id}/", {"save_cost": "1", "cost": "1"})
    assert r.status_code == 403
    assert ContractCost.objects.get(contract=contract).cost == Decimal("8000.00")


def test_list_page_queries_do_not_grow_with_rows(client, finance, unit, django_assert_max_num_queries):
    for _ in range(15):
        person = SalespersonFactory(unit=unit)
        for _k in range(3):
            c = sold_contract(owner=person, retention="1200.00")
            ExpenseClaimFactory(contract=c)
            PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("10800.00"))
    client.force_login(finance)
    # 21: + the contracts' approved returns (退貨) and bad-debt write-offs, one flat query each, less one shared
    with django_assert_max_num_queries(21):
        r = client.get("/commission/?month=2026-02")
    assert len(r.context["statements"]) == 15
    with django_assert_max_num_queries(20):
        client.get("/commission/export/2026-02.xlsx")
    with django_assert_max_num_queries(24):  # + returns and write-offs of the contracts, one flat query each
        client.get("/commission/summary/?month=2026-02")


def test_detail_and_contract_pages_queries_do_not_grow(client, salesperson, django_assert_max_num_queries):
    contracts = []
    for _k in range(20):
        c = sold_contract(owner=salesperson, retention="1200.00")
        ExpenseClaimFactory(contract=c)
        PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("5000.00"))
        contracts.append(c)
    client.force_login(salesperson)
    # 21: +1 for the contracts' bad-debt write-offs (the part written off stops accruing interest), one query
    # + one flat query for the approved returns (退貨) of the contracts, whatever their number
    # + the units' own rates (UnitCommissionPolicy)
    with django_assert_max_num_queries(23):
        r = client.get(f"/commission/statements/{salesperson.id}/2026-02/")
    assert len(r.context["st"]["contracts"]) == 20
    with django_assert_max_num_queries(22):
        client.get(f"/commission/statements/{salesperson.id}/2026-02/print/")
    with django_assert_max_num_queries(26):
        assert client.get(f"/commission/contracts/{contracts[0].id}/").status_code == 200
    # + invoices and the receivables policy (interest per shipment) + the "salespeople may see cost" setting
    # + the bad-debt write-offs
    # + the approved returns
    # + the units' own rates
    with django_assert_max_num_queries(21):
        client.get("/commission/expenses/")


def test_staff_member_sees_only_their_bonus_statement(client, salesperson, paid):
    from .factories import CooperationBonusFactory

    bonus = CooperationBonusFactory(contract=paid[salesperson.id], rate_percent=Decimal("2"), basis="profit")
    r = get(client, bonus.staff, "/commission/?month=2026-01")
    (st,) = r.context["statements"]
    assert st["salesperson"]["id"] == bonus.staff.id
    (line,) = [ln for b in st["contracts"] for ln in b["lines"]]
    assert line["component"] == "cooperation_bonus"
    assert line["amount"] == "50.00"  # 2 % of the gross profit 2,500
    assert "2,500.00" not in line["display_text"]  # the profit (so the cost) stays hidden
    assert get(client, bonus.staff, f"/commission/statements/{salesperson.id}/2026-01/").status_code == 404
    assert get(client, bonus.staff, f"/commission/contracts/{paid[salesperson.id].id}/").status_code == 404


def test_expense_page_shows_allowance_left_per_contract(client, salesperson, other_salesperson):
    contract = sold_contract(owner=salesperson)
    ContractCostFactory(contract=contract, cost=Decimal("9500.00"))  # margin 20.8 %: 20 % of 2,500 = 500
    ExpenseClaimFactory(contract=contract, amount=Decimal("300.00"))
    ExpenseClaimFactory(contract=contract, amount=Decimal("250.00"), status="pending", decided_on=None)
    sold_contract(owner=other_salesperson)
    # By default the allowance is hidden from salespeople: below the margin threshold it is a share of the gross
    # profit, so with the rule book's rate it gives the cost (docs/confidentiality.md).
    r = get(client, salesperson, "/commission/expenses/")
    (budget,) = r.context["budgets"]
    assert (budget.allowance, budget.branch, budget.approved, budget.pending, budget.remaining) == (
        None,
        "",
        Decimal("300.00"),
        Decimal("250.00"),
        None,
    )
    assert "500.00" not in r.content.decode() and "gross profit" not in r.content.decode()
    # The admin lets salespeople see cost: the allowance and what is left of it.
    SalesPolicy.objects.create(effective_from=dt.date(2000, 1, 1), salespeople_see_cost=True)
    r = get(client, salesperson, "/commission/expenses/")
    (budget,) = r.context["budgets"]
    assert (budget.allowance, budget.approved, budget.pending, budget.remaining) == (
        Decimal("500.00"),
        Decimal("300.00"),
        Decimal("250.00"),
        Decimal("-50.00"),
    )
