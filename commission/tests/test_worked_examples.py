"""The worked examples of DOMAIN.md, end to end through the database and the statement builder."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import User
from commission.selectors import build_statements
from sales.models import PaymentKind

from .factories import ContractCostFactory, CooperationBonusFactory, ExpenseClaimFactory, PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in range(1, 6))


def statement(user, month):
    found = build_statements(people_qs=User.objects.filter(pk=user.pk), month=month)
    return found[0] if found else None


def lines(st, component=None, *, info=None):
    out = [ln for block in st["contracts"] for ln in block["lines"]]
    if component:
        out = [ln for ln in out if ln["component"] == component]
    if info is not None:
        out = [ln for ln in out if ln["info"] is info]
    return out


def test_a_paid_in_full_no_retention_releases_all_that_month(salesperson):
    contract = sold_contract(owner=salesperson)
    pay = PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    st = statement(salesperson, JAN)
    (release,) = lines(st, "release")
    assert release["amount"] == "1000.00"
    assert release["params"]["above_standard"] == "2000.00"
    assert release["params"]["payment_id"] == pay.id
    assert "2,000.00 × 50 %" in release["text"]["en"]
    assert release["text"]["zh-hant"].startswith("超價部分 2,000.00 × 50 % = 提成 1,000.00。")
    assert st["totals"]["released"] == "1000.00"
    assert st["totals"]["net"] == "1000.00"
    assert st["totals"]["held"] == "0.00"
    # Nothing more in later months.
    assert statement(salesperson, FEB) is None


def test_a_partial_payment_holds_until_collected(salesperson):
    contract = sold_contract(owner=salesperson)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("6000.00"))
    st = statement(salesperson, JAN)
    assert lines(st, "release") == []
    (held,) = lines(st, "held")
    assert held["rule"] == "held_not_collected"
    assert held["amount"] == "1000.00"
    assert held["params"]["outstanding"] == "6000.00"
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 2, 3), amount=Decimal("6000.00"))
    st = statement(salesperson, FEB)
    assert lines(st, "release")[0]["amount"] == "1000.00"


def test_b_retention_releases_800_then_200(salesperson):
    contract = sold_contract(owner=salesperson, retention="1200.00")
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 15), amount=Decimal("5000.00"))
    st = statement(salesperson, JAN)
    assert lines(st, "release") == []
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 2, 15), amount=Decimal("5800.00"), kind=PaymentKind.FINAL)
    st = statement(salesperson, FEB)
    (release,) = lines(st, "release")
    assert release["amount"] == "800.00"
    assert release["rule"] == "release_with_retention"
    (held,) = lines(st, "held")
    assert (held["rule"], held["amount"]) == ("held_retention", "200.00")
    assert st["totals"] == {
        "released": "800.00",
        "interest": "0.00",
        "expenses": "0.00",
        "bonus": "0.00",
        "adjustments": "0.00",
        "net": "800.00",
        "held": "200.00",
    }
    # Retention still unpaid in March: still held, nothing released.
    st = statement(salesperson, MAR)
    assert lines(st, info=False) == []
    assert lines(st, "held")[0]["amount"] == "200.00"
    PaymentFactory(
        contract=contract, paid_on=dt.date(2026, 4, 2), amount=Decimal("1200.00"), kind=PaymentKind.RETENTION
    )
    st = statement(salesperson, APR)
    (rel,) = lines(st, "retention_release")
    assert rel["amount"] == "200.00"
    assert lines(st, "held") == []


def test_b_retention_paid_before_the_rest_does_not_release_early(salesperson):
    contract = sold_contract(owner=salesperson, retention="1200.00")
    PaymentFactory(
        contract=contract, paid_on=dt.date(2026, 1, 15), amount=Decimal("1200.00"), kind=PaymentKind.RETENTION
    )
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 16), amount=Decimal("5000.00"))
    assert lines(statement(salesperson, JAN), info=False) == []
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 2, 16), amount=Decimal("5800.00"))
    st = statement(salesperson, FEB)
    assert sorted(ln["amount"] for ln in lines(st, info=False)) == ["200.00", "800.00"]


def test_c_unpaid_three_months_after_shipment_charges_interest(salesperson):
    # Shipped 10 Jan: overdue from 11 Mar (2 months later). 12,000 unpaid.
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    assert lines(statement(salesperson, FEB), "interest") == []
    st = statement(salesperson, MAR)
    (interest,) = lines(st, "interest")
    # 12,000 × 1 % × 21/31 = 81.2903… -> 81.29
    assert interest["amount"] == "-81.29"
    assert interest["params"]["days_overdue"] == 21
    assert interest["params"]["base"] == "12000.00"
    assert interest["params"]["rate"] == "1"
    assert interest["params"]["overdue_from"] == "2026-03-11"
    # April: a full month while still unpaid, then paid on the 10th: 9 days (1–9 April) are charged.
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 4, 10), amount=Decimal("12000.00"))
    st = statement(salesperson, APR)
    (interest,) = lines(st, "interest")
    assert interest["amount"] == "-36.00"  # 12,000 × 1 % × 9/30
    assert interest["params"]["days_overdue"] == 9
    (release,) = lines(st, "release")
    assert release["amount"] == "1000.00"
    assert st["totals"]["net"] == "964.00"
    assert statement(salesperson, MAY) is None


def test_c_interest_follows_partial_payments(salesperson):
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10), retention="1200.00")
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 4, 16), amount=Decimal("5800.00"))
    st = statement(salesperson, APR)
    (interest,) = lines(st, "interest")
    # Retention excluded: 10,800 unpaid 1–15 April, 5,000 from 16 to 30 April.
    # 10,800 × 1 % × 15/30 + 5,000 × 1 % × 15/30 = 54 + 25 = 79
    assert interest["amount"] == "-79.00"
    assert [s["base"] for s in interest["params"]["segments"]] == ["10800.00", "5000.00"]


@pytest.mark.parametrize(
    ("cost", "branch", "allowance", "excess"),
    [
        ("9001.00", "expense_low_margin", "599.80", "400.20"),  # margin 24.99 %: 20 % of 2,999
        ("9000.00", "expense_high_margin", "720.00", "280.00"),  # exactly 25 %: 6 % of 12,000
        ("8999.00", "expense_high_margin", "720.00", "280.00"),  # 25.01 %
    ],
)
def test_d_expense_excess_at_the_margin_threshold(salesperson, cost, branch, allowance, excess):
    contract = sold_contract(owner=salesperson)
    ContractCostFactory(contract=contract, cost=Decimal(cost))
    ExpenseClaimFactory(contract=contract, amount=Decimal("1000.00"), decided_on=dt.date(2026, 1, 6))
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    st = statement(salesperson, JAN)
    (line,) = lines(st, "expense_excess")
    assert line["rule"] == branch
    assert line["params"]["allowance"] == allowance
    assert line["amount"] == f"-{excess}"
    assert st["totals"]["net"] == str(Decimal("1000.00") - Decimal(excess))
    assert "cost" in line["confidential"]
    assert cost not in str(line["params"]) and f"{Decimal(cost):,.2f}" not in line["text"]["en"]
    assert f"{Decimal(cost):,.2f}" in line["text_full"]["en"]


def test_d_expenses_within_allowance_deduct_nothing_and_later_approvals_deduct_later(salesperson):
    contract = sold_contract(owner=salesperson)
    ContractCostFactory(contract=contract, cost=Decimal("6000.00"))  # 50 %: allowance 720
    ExpenseClaimFactory(contract=contract, amount=Decimal("700.00"), decided_on=dt.date(2026, 1, 6))
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    assert lines(statement(salesperson, JAN), "expense_excess") == []
    ExpenseClaimFactory(contract=contract, amount=Decimal("100.00"), decided_on=dt.date(2026, 3, 2))
    st = statement(salesperson, MAR)
    (line,) = lines(st, "expense_excess")
    assert line["amount"] == "-80.00"


def test_d_no_cost_recorded_uses_six_percent_of_sales(salesperson):
    contract = sold_contract(owner=salesperson)
    ExpenseClaimFactory(contract=contract, amount=Decimal("1000.00"))
    ExpenseClaimFactory(contract=contract, amount=Decimal("5000.00"), status="rejected")
    ExpenseClaimFactory(contract=contract, amount=Decimal("5000.00"), status="pending", decided_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    (line,) = lines(statement(salesperson, JAN), "expense_excess")
    assert (line["rule"], line["amount"]) == ("expense_no_cost", "-280.00")


def test_cooperation_bonus_goes_to_the_staff_member(salesperson):
    contract = sold_contract(owner=salesperson)
    bonus = CooperationBonusFactory(contract=contract, rate_percent=Decimal("1.5"))
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    st = statement(bonus.staff, JAN)
    (line,) = lines(st, "cooperation_bonus")
    assert line["amount"] == "180.00"
    assert st["totals"]["bonus"] == "180.00"
    assert lines(statement(salesperson, JAN), "cooperation_bonus") == []


def test_lines_below_standard_earn_nothing(salesperson):
    contract = sold_contract(owner=salesperson, unit_price="900.00")
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("9000.00"))
    assert statement(salesperson, JAN) is None


def test_rounding_only_at_the_line_total(salesperson):
    # 3 × 1,000.01 against 1,000.00: above-standard 0.03, commission 0.015 -> 0.02 (half up), not 3 × 0.01.
    contract = sold_contract(owner=salesperson, quantity="3", unit_price="1000.01", shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("3000.03"))
    (line,) = lines(statement(salesperson, JAN), "release")
    assert line["amount"] == "0.02"
