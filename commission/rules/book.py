"""Rule sets with their effective dates: which numbers apply in a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from core.periods import month_end


@dataclass(frozen=True)
class Rules:
    id: int | None
    name: str
    effective_from: dt.date
    commission_rate: Decimal = Decimal("0.5")
    retention_hold_rate: Decimal = Decimal("0.2")
    interest_grace_months: int = 2
    interest_rate: Decimal = Decimal("0.01")
    margin_threshold: Decimal = Decimal("0.25")
    low_margin_rate: Decimal = Decimal("0.2")
    high_margin_rate: Decimal = Decimal("0.06")
    market_fund_rate: Decimal = Decimal("0.02")
    unit_rules_id: int | None = None  # the unit's own rates (UnitCommissionPolicy) laid over the rule set, if any

    def snapshot(self) -> dict[str, Any]:
        unit = {"unit_rules_id": self.unit_rules_id} if self.unit_rules_id is not None else {}
        return {
            **unit,
            "id": self.id,
            "name": self.name,
            "effective_from": self.effective_from.isoformat(),
            "commission_rate": str(self.commission_rate),
            "retention_hold_rate": str(self.retention_hold_rate),
            "interest_grace_months": self.interest_grace_months,
            "interest_rate": str(self.interest_rate),
            "margin_threshold": str(self.margin_threshold),
            "low_margin_rate": str(self.low_margin_rate),
            "high_margin_rate": str(self.high_margin_rate),
            "market_fund_rate": str(self.market_fund_rate),
        }


DEFAULT_RULES = Rules(id=None, name="Rule book defaults", effective_from=dt.date(2000, 1, 1))

# The rates a unit may set for itself (UnitCommissionPolicy): the market service fund stays the company's.
UNIT_RATES = ("commission_rate", "retention_hold_rate", "margin_threshold", "low_margin_rate", "high_margin_rate")


@dataclass(frozen=True)
class UnitRules:
    """A unit's own rates, approved by the GM office, in force from `effective_from`: `rates` maps names of
    UNIT_RATES to the unit's value (a fraction); the others stay the rule set's."""

    id: int
    unit_id: int
    effective_from: dt.date
    rates: Mapping[str, Decimal]


class RuleBook:
    """Rule sets ordered by effective date; for_month picks the one in force on the month's last day.

    The interest numbers (grace months, monthly rate) are the receivables policy's (`interest_terms`:
    (effective_from, grace_months, monthly_rate) rows), in force on the same day; the rule set's own are the
    rule book's defaults, used only when no receivables policy is given (pure tests)."""

    def __init__(
        self,
        rule_sets: Iterable[Rules],
        interest_terms: Iterable[tuple[dt.date, int, Decimal]] = (),
        unit_rules: Iterable[UnitRules] = (),
    ) -> None:
        self.rule_sets = sorted(rule_sets, key=lambda r: r.effective_from)
        self.interest_terms = sorted(interest_terms, key=lambda t: t[0])
        self.unit_rules: dict[int, list[UnitRules]] = {}
        for row in sorted(unit_rules, key=lambda u: (u.effective_from, u.id)):
            self.unit_rules.setdefault(row.unit_id, []).append(row)

    def for_month(self, month: dt.date, unit_id: int | None = None) -> Rules:
        """The rules of `month` (in force on its last day) for a salesperson of `unit_id`: the unit's own approved
        rates in force then, over the company's rule set (the unit's value wins); without a unit, the company's."""
        end = month_end(month)
        chosen = None
        for rules in self.rule_sets:
            if rules.effective_from <= end:
                chosen = rules
            else:
                break
        if chosen is None:
            chosen = self.rule_sets[0] if self.rule_sets else DEFAULT_RULES
        terms = [t for t in self.interest_terms if t[0] <= end]
        if terms:
            _on, grace, rate = terms[-1]
            chosen = replace(chosen, interest_grace_months=grace, interest_rate=rate)
        own = [u for u in self.unit_rules.get(unit_id, []) if u.effective_from <= end] if unit_id is not None else []
        if own:
            unit, base = own[-1], chosen
            unit_rate = unit.rates.get
            chosen = replace(
                base,
                unit_rules_id=unit.id,
                commission_rate=unit_rate("commission_rate", base.commission_rate),
                retention_hold_rate=unit_rate("retention_hold_rate", base.retention_hold_rate),
                margin_threshold=unit_rate("margin_threshold", base.margin_threshold),
                low_margin_rate=unit_rate("low_margin_rate", base.low_margin_rate),
                high_margin_rate=unit_rate("high_margin_rate", base.high_margin_rate),
            )
        return chosen
