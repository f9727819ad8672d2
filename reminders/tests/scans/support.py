"""Helpers of the scan tests: local times and one kind's scan at a moment."""

import datetime as dt
import zoneinfo

import time_machine

from reminders.models import Reminder
from reminders.scans import scan_all

TPE = zoneinfo.ZoneInfo("Asia/Taipei")


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TPE)


def scan(moment, kind):
    with time_machine.travel(moment, tick=False):
        scan_all(kinds=[kind])
    return list(Reminder.objects.filter(kind=kind).order_by("id"))
