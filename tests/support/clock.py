"""Run the whole suite as if today were another date: `pytest --today=2027-01-01` (or CRM_TEST_TODAY=...).

The clock is travelled once for the whole run with time-machine and keeps ticking from there, so every
`timezone.now()`, `timezone.localdate()` and `datetime.now()` in the code under test, in the tests and in the
factories sees that day. Tests that set their own clock (time_machine.travel / the time_machine fixture) still do:
time-machine nests travels. The value is exported again as CRM_TEST_TODAY so subprocesses that load
`activate_from_environment()` (the real Celery workers of the reminders tests) travel to the same moment.

A bare date means 10:30 in the company's time zone (Asia/Taipei); a date-time may be given to test the hours
around midnight, e.g. 2027-01-01T07:30 (still 31 December in UTC).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

ENV = "CRM_TEST_TODAY"
OFFSET_ENV = "CRM_TEST_CLOCK_OFFSET"  # seconds between the travelled and the real clock, for subprocesses
COMPANY_TZ = ZoneInfo("Asia/Taipei")
DEFAULT_TIME = dt.time(10, 30)

_traveller = None


def parse(value: str) -> dt.datetime:
    """'2027-01-01' or '2027-01-01T07:30' (company time unless an offset is given) → an aware date-time."""
    value = value.strip()
    try:
        if "T" not in value and " " not in value:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), DEFAULT_TIME)
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{ENV}/--today: {value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=COMPANY_TZ)


def activate(value: str | None) -> dt.datetime | None:
    """Travel the clock of this process to `value` (ticking), once; returns the moment, or None when unset."""
    global _traveller
    if not value:
        return None
    import time_machine

    moment = parse(value)
    if _traveller is None:
        os.environ[OFFSET_ENV] = repr(moment.timestamp() - time.time())
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()
        os.environ[ENV] = moment.isoformat()
    return moment


def activate_from_environment() -> dt.datetime | None:
    """In a subprocess of a travelled run: travel to the parent's *current* travelled moment (same offset)."""
    global _traveller
    offset = os.environ.get(OFFSET_ENV)
    if not os.environ.get(ENV) or not offset or _traveller is not None:
        return None
    import time_machine

    moment = dt.datetime.fromtimestamp(time.time() + float(offset), tz=COMPANY_TZ)
    _traveller = time_machine.travel(moment, tick=True)
    _traveller.start()
    return moment


def deactivate() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
