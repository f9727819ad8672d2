"""One definition of "due", shared by the home page, the inbox, the reminders page and the bell.

A date `due_on` is *the last day still on time*: on that day the thing is due (do it today), from the next day it
is overdue. A to-do list shows what is due today or overdue, looking back `lookback_days` (older items are not
chased any more: the reminders app's `catch_up_days`, 14 by default). Things due later are "upcoming".
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, Expression, ExpressionWrapper, Func, Q, Value

LOOKBACK_DAYS = 14


def is_due(due_on: dt.date, *, today: dt.date) -> bool:
    """Due today or overdue: it needs doing now."""
    return due_on <= today


def is_overdue(due_on: dt.date, *, today: dt.date) -> bool:
    """Past the last day still on time."""
    return due_on < today


def due_q(field: str, *, today: dt.date, lookback_days: int | Expression | None = LOOKBACK_DAYS) -> Q:
    """Filter for rows whose `field` is due today or overdue (within the look-back window, if any).

    `lookback_days` may be an SQL expression of a whole number of days (a policy read in the same statement)."""
    q = Q(**{f"{field}__lte": today})
    if isinstance(lookback_days, Expression):
        since = Func(
            Value(today, output_field=DateField()), lookback_days, arg_joiner=" - ", template="(%(expressions)s)"
        )
        q &= Q(**{f"{field}__gte": ExpressionWrapper(since, output_field=DateField())})
    elif lookback_days is not None:
        q &= Q(**{f"{field}__gte": today - dt.timedelta(days=lookback_days)})
    return q


def upcoming_q(field: str, *, today: dt.date) -> Q:
    return Q(**{f"{field}__gt": today})
