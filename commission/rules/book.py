"""Rule sets with their effective dates: which numbers apply in a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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

    def snapshot(self) -> dict[str, Any]:
        return {
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


class RuleBook:
    """Rule sets ordered by effective date; for_month picks the one in force on the month's last day.

    The interest numbers (grace months, monthly rate) are the receivables policy's (`interest_terms`:
    (effective_from, grace_months, monthly_rate) rows), in force on the same day; the rule set's own are the
    rule book's defaults, used only when no receivables policy is given (pure tests)."""

    def __init__(self, rule_sets: Iterable[Rules], interest_terms: Iterable[tuple[dt.date, int, Decimal]] = ()) -> None:
        self.rule_sets = sorted(rule_sets, key=lambda r: r.effective_from)
        self.interest_terms = sorted(interest_terms, key=lambda t: t[0])

    def for_month(self, month: dt.date) -> Rules:
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
        return chosen
