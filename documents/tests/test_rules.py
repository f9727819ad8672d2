"""統一編號 checksum, 營業稅 rounding and 大寫金額 at their boundaries."""

from decimal import Decimal as D

import pytest

from documents.rules import amount_in_capitals, tax_id_checksum, tax_id_valid, taxed_total


@pytest.mark.parametrize(
    ("tax_id", "checksum"),
    [
        ("04595257", 40),  # divisible by 10: valid under the old rule and the new
        ("22099131", 30),
        ("00000000", 0),
    ],
)
def test_checksum_multiple_of_ten_passes(tax_id, checksum):
    assert tax_id_checksum(tax_id) == checksum
    assert tax_id_valid(tax_id)


def test_new_rule_divisible_by_five_passes_where_the_old_rule_of_ten_failed():
    # 1×1 + 0 + 0 + 0 + 0 + 0 + 0 + 4×1 = 5: valid only since the 2023 rule (÷5).
    assert tax_id_checksum("10000004") == 5
    assert tax_id_valid("10000004")


def test_one_off_the_multiple_of_five_fails_on_both_sides():
    assert tax_id_checksum("10000003") == 4 and not tax_id_valid("10000003")
    assert tax_id_checksum("10000005") == 6 and not tax_id_valid("10000005")


def test_seventh_digit_seven_passes_with_the_sum_plus_one():
    # 7 × 4 = 28 → 2 + 8 = 10, read as 1 or 0: checksum 39 fails alone, 39 + 1 = 40 passes.
    assert tax_id_checksum("12345675") == 39
    assert tax_id_valid("12345675")
    # The same checksum 39 without a 7 in the 7th place fails.
    assert not tax_id_valid("12345674")  # 38: neither 38 nor 39 divisible by 5


def test_seventh_digit_seven_also_passes_on_the_plain_sum():
    assert tax_id_checksum("10458575") == 30 and tax_id_valid("10458575")


def test_sum_plus_one_does_not_help_without_the_seventh_digit_seven():
    # checksum 4: 4 + 1 = 5 would pass if the exception applied to every number.
    assert tax_id_checksum("10000003") == 4
    assert not tax_id_valid("10000003")


@pytest.mark.parametrize("bad", ["", "1234567", "123456789", "1234567a", "１２３４５６７５", "1234 675"])
def test_not_eight_ascii_digits_fails(bad):
    assert not tax_id_valid(bad)


# --- 營業稅: half up to the whole dollar -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "tax"),
    [
        ("9.99", "0"),  # 0.4995 → 0
        ("10.00", "1"),  # 0.50 exactly → 1 (half up)
        ("29.99", "1"),  # 1.4995 → 1
        ("30.00", "2"),  # 1.50 → 2
        ("0", "0"),
        ("1000000000", "50000000"),
    ],
)
def test_exclusive_tax_rounds_half_up_to_the_dollar(lines, tax):
    t = taxed_total(lines_total=D(lines), rate_percent=D("5"), inclusive=False)
    assert t.tax == D(tax)
    assert t.subtotal == D(lines) and t.total == D(lines) + D(tax)


@pytest.mark.parametrize(
    ("total", "tax"),
    [
        ("105", "5"),
        ("10.50", "1"),  # 10.50 - 10.00 = 0.50 → 1
        ("10.49", "0"),  # 10.49 / 1.05 = 9.990…, tax 0.4995… → 0
        ("21", "1"),
        ("0", "0"),
        ("1000000000", "47619048"),  # 1,000,000,000 − 952,380,952.38… = 47,619,047.62 → 47,619,048
    ],
)
def test_inclusive_tax_is_the_part_inside_the_total(total, tax):
    t = taxed_total(lines_total=D(total), rate_percent=D("5"), inclusive=True)
    assert t.tax == D(tax)
    assert t.subtotal + t.tax == t.total == D(total)


def test_negative_amount_is_refused():
    with pytest.raises(ValueError):
        taxed_total(lines_total=D("-1"), rate_percent=D("5"), inclusive=False)


# --- 大寫金額 -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("100000", "壹拾萬元整"),
        ("1000000000", "壹拾億元整"),
        ("1001", "壹仟零壹元整"),
        ("10010", "壹萬零壹拾元整"),
        ("100100000", "壹億零壹拾萬元整"),
        ("100000001", "壹億零壹元整"),
        ("110000", "壹拾壹萬元整"),
        ("105000", "壹拾萬伍仟元整"),
        ("10001000", "壹仟萬壹仟元整"),
        ("10000100", "壹仟萬零壹佰元整"),
        ("1000010", "壹佰萬零壹拾元整"),
        ("12.34", "壹拾貳元參角肆分"),
        ("12.30", "壹拾貳元參角整"),
        ("12.04", "壹拾貳元零肆分"),
        ("0.50", "伍角整"),
        ("0.05", "伍分"),
        ("0.005", "壹分"),  # rounded half up to the cent first
        ("999999999999.99", "玖仟玖佰玖拾玖億玖仟玖佰玖拾玖萬玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capitals(amount, words):
    assert amount_in_capitals(D(amount)) == words


def test_capitals_refuse_negative():
    with pytest.raises(ValueError):
        amount_in_capitals(D("-0.01"))


@pytest.mark.parametrize(
    ("lines", "inclusive", "words"),
    [
        ("0", False, "零元整"),
        ("1000000000", False, "壹拾億伍仟萬元整"),  # 1,000,000,000 + 5 % = 1,050,000,000
        ("1000000000", True, "壹拾億元整"),
        ("9.99", False, "玖元玖角玖分"),  # tax 0.4995 → 0
        ("10.00", False, "壹拾壹元整"),  # tax 0.50 → 1
    ],
)
def test_capitals_of_the_taxed_total_at_the_boundaries(lines, inclusive, words):
    t = taxed_total(lines_total=D(lines), rate_percent=D("5"), inclusive=inclusive)
    assert amount_in_capitals(t.total) == words
