from decimal import Decimal, InvalidOperation

from django import template

from core.money import round_money

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    """Format an amount with thousands separators: 1234567.5|money -> 1,234,567.50; |money:0 -> 1,234,568."""
    if value in (None, ""):
        return ""
    try:
        amount = round_money(value if isinstance(value, Decimal) else Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    places = int(places)
    if places == 0:
        amount = amount.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return f"{amount:,.{places}f}"
