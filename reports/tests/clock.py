"""Times in Taipei for the reports tests, and the Monday the selector scenario (the `book` fixture) is seen from."""

import datetime as dt
from zoneinfo import ZoneInfo

TPE = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=TPE)  # a Monday


def at(y, m, d, h=12, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TPE)
