from decimal import Decimal

from commission.selectors import _contract_cost

D = Decimal


def test_finance_override_wins():
    assert _contract_cost(override=D("5"), lines=[(D("2"), D("100"))], cost_total=D("200")) == D("5")


def test_line_unit_costs_from_the_sales_app():
    assert _contract_cost(override=None, lines=[(D("2"), D("100.50")), (D("1"), D("9"))], cost_total=None) == D(
        "210.00"
    )


def test_zero_costs_mean_unknown():
    assert _contract_cost(override=None, lines=[(D("2"), D("0"))], cost_total=D("0")) is None
    assert _contract_cost(override=None, lines=[(D("2"), None)], cost_total=None) is None


def test_cost_total_as_last_resort():
    assert _contract_cost(override=None, lines=[(D("2"), D("0"))], cost_total=D("1234.00")) == D("1234.00")
