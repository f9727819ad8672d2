"""The market service fund (市場服務基金) as an append-only ledger: accrual on each month's sales per unit, spending
on follow-up visits and year-end awards with the GM office's approval, balances; pages, API and permissions."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from commission import services
from commission.models import CommissionRuleSet, FundEntryKind, MarketFundEntry, MarketFundSpend
from commission.selectors import fund_balances
from core.exceptions import ApplicationError, PermissionDenied
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales.tests.factories import ContractFactory
from workspace.inbox import inbox_items

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 16, 12, 0, tzinfo=dt.UTC)
OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def _sale(owner, amount, *, on=dt.date(2026, 10, 15), status="signed"):
    return ContractFactory(customer=CustomerFactory(owner=owner), status=status, signed_on=on, amount=Decimal(amount))


@pytest.fixture
def october(salesperson, other_salesperson):
    """October 2026: the salesperson's unit sold 100,000 + 23,456.78; the other unit 50,000 (a draft of 9,999 and a
    November sale do not count)."""
    first = _sale(salesperson, "100000")
    _sale(salesperson, "23456.78")
    _sale(other_salesperson, "50000")
    _sale(salesperson, "9999", status="draft")
    _sale(salesperson, "7777", on=dt.date(2026, 11, 2))
    return first


def _balance(user, unit_id):
    rows, _total = fund_balances(viewer=user)
    return next(r for r in rows if r.unit_id == unit_id)


def test_a_month_accrues_two_percent_of_each_units_sales_once(finance, gm, salesperson, other_salesperson, october):
    rows = services.market_fund_accrue(month=OCT, actor=finance)
    by_unit = {r.unit_id: r for r in rows}
    # 2 % of 123,456.78 = 2,469.1356 → 2,469.14 (half up); 2 % of 50,000 = 1,000.00.
    assert by_unit[salesperson.unit_id].amount == Decimal("2469.14")
    assert by_unit[salesperson.unit_id].sales_base == Decimal("123456.78")
    assert by_unit[salesperson.unit_id].rate_percent == Decimal("2")
    assert by_unit[other_salesperson.unit_id].amount == Decimal("1000.00")
    assert services.market_fund_accrue(month=OCT, actor=finance) == []  # again: nothing to add
    october.status = "cancelled"
    october.save()
    (correction,) = services.market_fund_accrue(month=OCT, actor=finance)
    # Now 2 % of 23,456.78 = 469.1356 → 469.14; the ledger gets the difference, −2,000.00.
    assert correction.amount == Decimal("-2000.00") and correction.kind == FundEntryKind.ACCRUAL
    rows, total = fund_balances(viewer=gm)
    assert _balance(gm, salesperson.unit_id).balance == Decimal("469.14")
    assert total.balance == Decimal("1469.14") and total.accrued == Decimal("1469.14")


def test_the_rate_comes_from_the_rule_set_in_force_for_the_month(finance, salesperson, october):
    CommissionRuleSet.objects.create(name="old", effective_from=dt.date(2020, 1, 1))
    CommissionRuleSet.objects.create(name="3 %", effective_from=dt.date(2026, 10, 1), market_fund_percent=Decimal("3"))
    rows = services.market_fund_accrue(month=OCT, actor=finance)
    # 3 % of 123,456.78 = 3,703.7034 → 3,703.70
    assert next(r for r in rows if r.unit_id == salesperson.unit_id).amount == Decimal("3703.70")


def test_only_finance_books_and_only_ended_months(manager, salesperson, finance, october):
    with pytest.raises(PermissionDenied):
        services.market_fund_accrue(month=OCT, actor=manager)
    with pytest.raises(ApplicationError) as exc:
        services.market_fund_accrue(month=dt.date(2026, 11, 1), actor=finance)
    assert exc.value.code == "not_ended"


def test_closing_the_commission_month_books_the_fund(finance, salesperson, october):
    services.month_close(month=OCT, actor=finance)
    assert MarketFundEntry.objects.filter(month=OCT, kind="accrual").count() == 2


def test_ledger_lines_are_append_only(finance, october):
    line = services.market_fund_accrue(month=OCT, actor=finance)[0]
    line = MarketFundEntry.objects.get(pk=line.pk)
    line.amount = Decimal("1")
    with pytest.raises(ValueError):
        line.save()
    with pytest.raises(ValueError):
        line.delete()


def test_spending_waits_for_the_gm_office_then_is_booked(finance, manager, gm, salesperson, october):
    services.market_fund_accrue(month=OCT, actor=finance)
    visit = services.market_fund_spend_request(
        actor=manager,
        unit=manager.unit,
        purpose="visit",
        amount=Decimal("500"),
        description="回訪 12 家客戶",
        spend_on=dt.date(2026, 11, 10),
    )
    assert Notification.objects.filter(user=gm, activity__document="commission.market_fund").count() == 1
    assert [i.kind for i in inbox_items(user=gm) if i.kind == "market_fund"] == ["market_fund"]
    assert _balance(manager, manager.unit_id).pending == Decimal("500")
    with pytest.raises(PermissionDenied):  # the manager cannot approve (nor anyone their own request)
        services.market_fund_spend_decide(spend=visit, actor=manager, approve=True)
    services.market_fund_spend_decide(spend=visit, actor=gm, approve=True)
    b = _balance(manager, manager.unit_id)
    assert (b.accrued, b.visits, b.balance, b.pending) == (
        Decimal("2469.14"),
        Decimal("500.00"),
        Decimal("1969.14"),
        Decimal("0"),
    )
    assert Notification.objects.filter(user=manager, activity__action="approved").count() == 1
    with pytest.raises(ApplicationError) as again:
        services.market_fund_spend_decide(spend=visit, actor=gm, approve=True)
    assert again.value.code == "decided"
    award = services.market_fund_spend_request(
        actor=manager,
        unit=manager.unit,
        purpose="award",
        amount=Decimal("1969.15"),
        description="年終獎勵",
        spend_on=dt.date(2026, 12, 20),
        recipient=salesperson,
    )
    with pytest.raises(ApplicationError) as short:  # one cent more than the balance
        services.market_fund_spend_decide(spend=award, actor=gm, approve=True)
    assert short.value.code == "insufficient_fund" and short.value.field == "amount"
    with pytest.raises(ApplicationError):
        services.market_fund_spend_decide(spend=award, actor=gm, approve=False, note="  ")
    services.market_fund_spend_decide(spend=award, actor=gm, approve=False, note="超過餘額")
    assert MarketFundSpend.objects.get(pk=award.pk).status == "rejected"
    assert MarketFundEntry.objects.filter(kind="award").count() == 0


def test_requests_are_refused_to_salespeople_and_other_units(manager, salesperson, other_salesperson):
    args = {"purpose": "visit", "amount": Decimal("1"), "description": "x", "spend_on": dt.date(2026, 11, 1)}
    with pytest.raises(PermissionDenied):
        services.market_fund_spend_request(actor=salesperson, unit=salesperson.unit, **args)
    with pytest.raises(PermissionDenied):
        services.market_fund_spend_request(actor=manager, unit=other_salesperson.unit, **args)
    with pytest.raises(ApplicationError) as award:
        services.market_fund_spend_request(
            actor=manager, unit=manager.unit, **{**args, "purpose": "award"}, recipient=other_salesperson
        )
    assert award.value.field == "recipient"


def test_page_and_api_permission_matrix(
    client, api_client, finance, manager, gm, salesperson, other_salesperson, october, django_assert_max_num_queries
):
    services.market_fund_accrue(month=OCT, actor=finance)
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    mine = services.market_fund_spend_request(
        actor=manager,
        unit=manager.unit,
        purpose="visit",
        amount=Decimal("10"),
        description="a",
        spend_on=dt.date(2026, 11, 1),
    )
    url = reverse("commission:market_fund")
    for user, code in ((salesperson, 404), (manager, 200), (gm, 200), (finance, 200), (other_manager, 200)):
        client.force_login(user)
        assert client.get(url).status_code == code, user.role
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/market-fund/balances/").status_code == (403 if code == 404 else 200)
    client.force_login(other_manager)  # another unit's request: 404
    assert (
        client.post(reverse("commission:market_fund_decide", args=[mine.pk]), {"decision": "approve"}).status_code
        == 404
    )
    api_client.force_authenticate(other_manager)
    assert api_client.get(f"/api/v1/market-fund/{mine.pk}/").status_code == 404
    api_client.force_authenticate(manager)
    balances = api_client.get("/api/v1/market-fund/balances/").json()
    assert [b["balance"] for b in balances] == ["2469.14", "2469.14"]  # their unit, and the total of their units
    assert api_client.get(f"/api/v1/market-fund/{mine.pk}/").json()["actions"] == []
    bad = api_client.post(
        "/api/v1/market-fund/",
        {"unit": manager.unit_id, "purpose": "visit", "amount": "-5", "description": "x", "spend_on": "2026-11-01"},
    )
    assert bad.status_code == 400 and "amount" in str(bad.json())
    api_client.force_authenticate(gm)
    assert api_client.get(f"/api/v1/market-fund/{mine.pk}/").json()["actions"] == ["approve", "reject"]
    assert api_client.post(f"/api/v1/market-fund/{mine.pk}/approve/", {}).json()["status"] == "approved"
    ledger = api_client.get("/api/v1/market-fund/ledger/").json()
    assert sorted(row["amount"] for row in ledger["results"]) == ["-10.00", "1000.00", "2469.14"]
    for _ in range(15):
        SalespersonFactory(unit=manager.unit)
        services.market_fund_spend_request(
            actor=manager,
            unit=manager.unit,
            purpose="visit",
            amount=Decimal("1"),
            description="b",
            spend_on=dt.date(2026, 11, 1),
        )
    client.force_login(gm)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
