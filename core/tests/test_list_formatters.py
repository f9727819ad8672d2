"""core.api's list formatters answer exactly what the DRF fields they stand for answer, value by value."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from core.api import date_formatter, datetime_formatter, money_formatter

MONEY = [Decimal("0"), Decimal("0.00"), Decimal("1234.5"), Decimal("-0.01"), Decimal("2500.505"), Decimal("2500.515"),
         Decimal("999999999999.99"), Decimal("1E+3"), Decimal("12.3456")]  # fmt: skip


def answer(function, value):
    """What the function returns, or the type of what it raises (a value too wide for max_digits)."""
    try:
        return function(value)
    except Exception as exc:  # noqa: BLE001 - compared, not swallowed
        return type(exc)


@pytest.mark.parametrize("places,digits", [(2, 14), (0, 10), (4, 20)])
def test_money_is_the_decimal_fields_answer(places, digits):
    field = serializers.DecimalField(max_digits=digits, decimal_places=places)
    fast = money_formatter(field)
    for value in MONEY:
        assert answer(fast, value) == answer(field.to_representation, value), value
    assert fast(12) == field.to_representation(12)  # not a Decimal: the field's own way


def test_a_field_the_formatter_does_not_know_keeps_its_own_representation():
    for field in (
        serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False),
        serializers.DecimalField(max_digits=14, decimal_places=2, localize=True),
        serializers.DecimalField(max_digits=14, decimal_places=2, normalize_output=True),
    ):
        assert money_formatter(field) == field.to_representation
    odd_date = serializers.DateField(format="%d/%m/%Y")
    assert date_formatter(odd_date) == odd_date.to_representation
    odd_stamp = serializers.DateTimeField(format="%Y")
    assert datetime_formatter(odd_stamp) == odd_stamp.to_representation


def test_dates_are_the_date_fields_answer():
    field = serializers.DateField()
    fast = date_formatter(field)
    for value in (dt.date(2026, 1, 31), dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        assert fast(value) == field.to_representation(value)


@pytest.mark.parametrize("zone", ["Asia/Taipei", "UTC", "America/New_York"])
def test_times_are_the_datetime_fields_answer_in_the_current_zone(zone):
    values = [
        dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 8, 7, 0, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
    ]
    with timezone.override(zone):
        field = serializers.DateTimeField()
        fast = datetime_formatter(field)
        for value in values:
            assert fast(value) == field.to_representation(value), (zone, value)
    assert any(fast(v).endswith("Z") for v in values) == (zone == "UTC")
