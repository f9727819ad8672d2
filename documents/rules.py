"""Pure rules of the customer documents: the 統一編號 checksum, the business tax (營業稅) and the amount in Chinese
capital numerals (大寫金額). No database; the numbers (tax rate) come from the company settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- 統一編號 (business administration number) ---------------------------------------------------------------

TAX_ID_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)
# Since 2023 the Ministry of Finance's rule divides by 5 (it was 10): the old numbers still pass.
TAX_ID_DIVISOR = 5


def tax_id_checksum(digits: str) -> int:
    """Sum over the 8 digits of the digit sums of digit × weight (1,2,1,2,1,2,4,1)."""
    total = 0
    for ch, weight in zip(digits, TAX_ID_WEIGHTS, strict=True):
        product = int(ch) * weight
        total += product // 10 + product % 10
    return total


def tax_id_valid(value: str) -> bool:
    """8 digits whose checksum is divisible by 5; when the 7th digit is 7 (7 × 4 = 28, digit sum 10, read as 1 or 0),
    the checksum or the checksum + 1 divisible by 5 passes."""
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        return False
    total = tax_id_checksum(value)
    if total % TAX_ID_DIVISOR == 0:
        return True
    return value[6] == "7" and (total + 1) % TAX_ID_DIVISOR == 0


# --- 營業稅 (business tax) ----------------------------------------------------------------------------------------

DOLLAR = Decimal("1")


def round_dollar(value: Decimal) -> Decimal:
    """Half up to the whole New Taiwan dollar (0.5 → 1): the unit of tax on a uniform invoice."""
    return value.quantize(DOLLAR, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TaxedTotal:
    subtotal: Decimal  # before tax
    tax: Decimal  # 營業稅, whole dollars
    total: Decimal  # what the customer pays
    rate_percent: Decimal
    inclusive: bool


def taxed_total(*, lines_total: Decimal, rate_percent: Decimal, inclusive: bool) -> TaxedTotal:
    """The tax on a document. Exclusive: tax = lines × rate, rounded half up to the dollar, added on top.
    Inclusive: the lines already hold the tax; the pre-tax part is lines ÷ (1 + rate), the tax the difference,
    rounded half up to the dollar (so subtotal + tax == lines total exactly)."""
    if lines_total < 0 or rate_percent < 0:
        raise ValueError("amounts and rates are not negative")
    rate = rate_percent / Decimal(100)
    if inclusive:
        tax = round_dollar(lines_total - lines_total / (1 + rate))
        return TaxedTotal(lines_total - tax, tax, lines_total, rate_percent, inclusive)
    tax = round_dollar(lines_total * rate)
    return TaxedTotal(lines_total, tax, lines_total + tax, rate_percent, inclusive)


# --- 大寫金額 (amount in Chinese capital numerals) --------------------------------------------------------------

CAPITAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
SMALL_UNITS = ("仟", "佰", "拾", "")  # within a group of four digits
GROUP_UNITS = ("", "萬", "億", "兆")  # each group of four digits


def _integer_capitals(n: int) -> str:
    if n == 0:
        return CAPITAL_DIGITS[0]
    text = str(n)
    text = text.zfill((len(text) + 3) // 4 * 4)
    groups = [text[i : i + 4] for i in range(0, len(text), 4)]
    if len(groups) > len(GROUP_UNITS):
        raise ValueError("amount too large")
    out: list[str] = []
    zero_pending = False  # a run of zeros between two written digits is read as one 零
    for index, group in enumerate(groups):
        group_unit = GROUP_UNITS[len(groups) - 1 - index]
        if int(group) == 0:
            zero_pending = zero_pending or bool(out)
            continue
        for pos, ch in enumerate(group):
            digit = int(ch)
            if digit == 0:
                zero_pending = zero_pending or bool(out)
                continue
            if zero_pending:
                out.append(CAPITAL_DIGITS[0])
                zero_pending = False
            out.append(CAPITAL_DIGITS[digit] + SMALL_UNITS[pos])
        out.append(group_unit)
        # A group's own trailing zeros are read by its unit (壹拾萬伍仟, not 壹拾萬零伍仟); only the next group's
        # leading zeros (or a whole zero group) call for a 零.
        zero_pending = False
    return "".join(out)


def amount_in_capitals(amount: Decimal) -> str:
    """新臺幣 amount in capital numerals: 壹拾萬元整, 壹仟零壹元整, 零元整, 壹拾貳元參角肆分, 壹拾貳元零肆分,
    伍角整. Rounded half up to the cent first; "整" closes an amount with no 分."""
    if amount < 0:
        raise ValueError("negative amount")
    cents_total = int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    yuan, cents = divmod(cents_total, 100)
    jiao, fen = divmod(cents, 10)
    head = _integer_capitals(yuan) + "元" if yuan or not cents else ""
    if not cents:
        return head + "整"
    tail = ""
    if jiao:
        tail += CAPITAL_DIGITS[jiao] + "角"
    elif yuan:
        tail += CAPITAL_DIGITS[0]  # 壹拾貳元零肆分
    if fen:
        tail += CAPITAL_DIGITS[fen] + "分"
    else:
        tail += "整"
    return head + tail
