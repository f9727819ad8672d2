"""Pricing lines: copy the standard price in force, apply the discount, total; engineering cost-plus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.money import ZERO, round_money
from sales import rules, selectors
from sales.models import Contract, Product, Quote

from ._common import HUNDRED, _dec


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: Decimal
    discount_percent: Decimal = Decimal("0")
    list_price: Decimal | None = None  # defaults to the standard price in force

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LineInput:
        """From a validated form row or API line, where the discount and the list price are optional."""
        return cls(
            product=data["product"],
            quantity=data["quantity"],
            discount_percent=data.get("discount_percent") or Decimal("0"),
            list_price=data.get("list_price"),
        )


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    unit_price: Decimal
    standard_price: Decimal
    unit_cost: Decimal

    def as_line_fields(self) -> dict[str, object]:
        """The fields a QuoteLine or ContractLine copies from this priced line."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def price_lines(*, lines: list[LineInput], on: dt.date, unit_id: int | None = None) -> list[PricedLine]:
    """Copy the standard price and cost in force, apply the discount, validate every line. A product that needs a
    written price inquiry (書面詢價) is priced from the answer of the producing unit to `unit_id` valid on `on`."""
    if not lines:
        raise ApplicationError(_("Add at least one line."), field="lines", code="empty")
    priced = []
    for n, line in enumerate(lines, start=1):
        qty = _dec(line.quantity, field="lines")
        disc = _dec(line.discount_percent or 0, field="lines")
        if qty <= 0:
            raise ApplicationError(
                _("Line %(n)s: the quantity must be positive.") % {"n": n}, field="lines", code="quantity"
            )
        if disc < 0 or disc > HUNDRED:
            raise ApplicationError(
                _("Line %(n)s: the discount must be between 0 and 100 %%.") % {"n": n}, field="lines", code="discount"
            )
        if not line.product.is_active:
            raise ApplicationError(
                _("Line %(n)s: %(code)s is no longer sold.") % {"n": n, "code": line.product.code},
                field="lines",
                code="inactive",
            )
        item = selectors.price_in_force(product=line.product, on=on)
        if line.product.needs_price_inquiry:
            standard, cost = _inquiry_price(n, line.product, unit_id=unit_id, on=on, item=item)
        elif item is None:
            raise ApplicationError(
                _("Line %(n)s: %(code)s has no standard price in force.") % {"n": n, "code": line.product.code},
                field="lines",
                code="no_price",
            )
        else:
            standard, cost = item.standard_price, item.cost
        list_price = standard if line.list_price in (None, "") else _dec(line.list_price, field="lines")
        if list_price < 0:
            raise ApplicationError(
                _("Line %(n)s: the price cannot be negative.") % {"n": n}, field="lines", code="negative"
            )
        priced.append(
            PricedLine(
                product=line.product,
                quantity=qty,
                list_price=round_money(list_price),
                discount_percent=disc,
                unit_price=round_money(list_price * (HUNDRED - disc) / HUNDRED),
                standard_price=standard,
                unit_cost=cost,
            )
        )
    return priced


def _inquiry_price(n: int, product: Product, *, unit_id: int | None, on: dt.date, item) -> tuple[Decimal, Decimal]:
    """The answered price (and internal cost: the answer's, else the price list's, else none) in force for the unit,
    or an error naming the line and why there is none (never asked, unanswered, expired)."""
    answer = selectors.inquiry_in_force(product_id=product.pk, unit_id=unit_id, on=on)
    if answer is None or answer.price is None:
        raise ApplicationError(
            _(
                "Line %(n)s: %(code)s needs a written price inquiry answered by the producing unit and valid "
                "today: %(why)s."
            )
            % {
                "n": n,
                "code": product.code,
                "why": selectors.inquiry_missing_reason(product_id=product.pk, unit_id=unit_id, on=on),
            },
            field="lines",
            code="price_inquiry",
        )
    cost = answer.cost if answer.cost is not None else (item.cost if item is not None else ZERO)
    return answer.price, cost


def _totals(priced: list[PricedLine]) -> tuple[Decimal, Decimal]:
    amount = round_money(sum((p.quantity * p.unit_price for p in priced), ZERO))
    cost = round_money(sum((p.quantity * p.unit_cost for p in priced), ZERO))
    return amount, cost


def write_priced_lines(document: Quote | Contract, priced: list[PricedLine], *, line_model, parent: str) -> None:
    """Replace the lines of a quote or contract with `priced` (in order) and set its amount and cost total."""
    document.lines.all().delete()
    line_model.objects.bulk_create(
        line_model(**{parent: document}, position=n, **p.as_line_fields()) for n, p in enumerate(priced)
    )
    document.amount, document.cost_total = _totals(priced)


def engineering_components(*, cost: Decimal, rates: dict[str, Decimal]) -> list[tuple[str, Decimal, Decimal]]:
    """(name, rate %, amount) of each cost-plus component of an engineering turnkey quote (sales.rules)."""
    return rules.engineering_components(cost=cost, rates=rates)


def quote_engineering_rates(quote_or_policy) -> dict[str, Decimal]:
    return {name: getattr(quote_or_policy, name) for name in ENGINEERING_RATES}


ENGINEERING_RATES = ("design_rate", "commissioning_rate", "contingency_rate", "management_rate", "profit_tax_rate")
