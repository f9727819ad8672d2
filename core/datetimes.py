"""Date-time input that PostgreSQL can store: its time zone offsets stop at ±15:59 (Python's go to ±23:59).

An ISO date-time such as 2026-01-01T09:00-16:18 parses in Python but makes PostgreSQL raise, which was a 500.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DB_OFFSET = dt.timedelta(hours=15, minutes=59, seconds=59)
INVALID_OFFSET = _("The time zone offset must be between -15:59 and +15:59.")


def offset_storable(value: dt.datetime | None) -> bool:
    offset = value.utcoffset() if value is not None else None
    return offset is None or abs(offset) <= MAX_DB_OFFSET


class _DbIsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if not offset_storable(parsed):
            raise ValidationError(INVALID_OFFSET, code="invalid")
        return parsed


class DbIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """IsoDateTimeFilter whose bad offsets are a 400, not a database error."""

    field_class = _DbIsoDateTimeFormField


class DbDateTimeFormField(forms.DateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if not offset_storable(parsed):
            raise ValidationError(INVALID_OFFSET, code="invalid")
        return parsed
