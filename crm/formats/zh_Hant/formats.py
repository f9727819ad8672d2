"""Taiwanese business documents group amounts by thousands with commas (NT$1,234,567), not Django's default."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
