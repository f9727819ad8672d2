"""Money is Decimal, rounded to the cent with ROUND_HALF_UP, in one place."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_money(value: Decimal | int | str) -> Decimal:
    """Round an amount to the cent, half up (0.005 -> 0.01)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(value: Decimal | int | str) -> Decimal:
    """A percentage as a rate: percent(8) == Decimal('0.08')."""
    return to_decimal(value) / Decimal(100)
