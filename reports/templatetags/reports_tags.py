"""Number formatting of the reports pages (filters, not includes: a ranking of 200 people renders 800 cells)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()
DASH = mark_safe('<span class="text-muted">—</span>')


@register.filter
def money(value) -> str:
    """12345.5 -> '12,346' (whole units, half up); None -> a muted dash."""
    if value is None or value == "":
        return DASH
    amount = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{amount:,}"


@register.filter
def pct(value) -> str:
    """A percentage already rounded by the selectors: 55.6 -> '55.6%'; None -> a muted dash."""
    if value is None or value == "":
        return DASH
    return format_html("{}%", value)
