from decimal import Decimal

import pytest

from core.money import percent, round_money
from core.templatetags.money import money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("10", "10.00")],
)
def test_round_money_is_half_up_to_the_cent(raw, expected):
    assert round_money(Decimal(raw)) == Decimal(expected)


def test_round_money_refuses_floats():
    with pytest.raises(TypeError):
        round_money(0.1)


def test_percent():
    assert percent(8) == Decimal("0.08")


def test_money_filter():
    assert money(Decimal("1234567.5")) == "1,234,567.50"
    assert money(Decimal("2733380.49"), 0) == "2,733,380"
    assert money(Decimal("0.5"), 0) == "1"
    assert money(None) == ""


def test_amounts_are_grouped_by_thousands_in_both_languages():
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    for language in ("en", "zh-hant"):
        with translation.override(language):
            assert intcomma(1234567) == "1,234,567", language
            assert money(Decimal("1234567.5")) == "1,234,567.50"
