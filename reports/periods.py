"""Kept for existing imports: the period helpers live in core.periods (one home for month arithmetic)."""

from core.periods import (
    add_months,
    month_end,
    month_start,
    months_in,
    normalise_start,
    parse_period,
    period_bounds,
    period_label,
    quarter_start,
    week_start,
    year_start,
)

__all__ = [
    "add_months",
    "month_end",
    "month_start",
    "months_in",
    "normalise_start",
    "parse_period",
    "period_bounds",
    "period_label",
    "quarter_start",
    "week_start",
    "year_start",
]
