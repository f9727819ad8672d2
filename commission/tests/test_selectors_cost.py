from decimal import Decimal
from types import SimpleNamespace

from commission.selectors import _contract_cost


class Lines(list):
    def all(self):
        return self


def contract(*, override=None, lines=(), cost_total=None):
    c = SimpleNamespace(lines=Lines(lines))
    if override is not None:
        c.commission_cost = SimpleNamespace(cost=Decimal(override))
    if cost_total is not None:
        c.cost_total = Decimal(cost_total)
    return c


def line(qty, unit_cost=None):
    ln = SimpleNamespace(quantity=Decimal(qty))
    if unit_cost is not None:
        ln.unit_cost = Decimal(unit_cost)
    return ln


def test_finance_override_wins():
    assert _contract_cost(contract(override="5", lines=[line("2", "100")], cost_total="200")) == Decimal("5")


def test_line_unit_costs_from_the_sales_app():
    assert _contract_cost(contract(lines=[line("2", "100.50"), line("1", "9")])) == Decimal("210.00")


def test_zero_costs_mean_unknown():
    assert _contract_cost(contract(lines=[line("2", "0")], cost_total="0")) is None
    assert _contract_cost(contract(lines=[line("2")])) is None


def test_cost_total_as_last_resort():
    assert _contract_cost(contract(lines=[line("2", "0")], cost_total="1234.00")) == Decimal("1234.00")
