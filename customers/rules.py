"""The customers app's rules of the rule book, small pure functions with their numbers from a policy (no ORM).

"Due" is the last day still on time, everywhere in the product.
"""

from __future__ import annotations

import datetime as dt

from core.periods import add_months, month_end, month_start

DEFAULT_FILING_DAY = 10


def card_filing_due(month: dt.date, *, filing_day: int = DEFAULT_FILING_DAY) -> dt.date:
    """Monthly customer-card filing (次月10日前): the cards of `month` are due by `filing_day` of the following
    month, that day still on time. Returns that last on-time day (clamped to the month's end)."""
    nxt = add_months(month_start(month), 1)
    return min(nxt.replace(day=min(max(filing_day, 1), 28)), month_end(nxt))


def card_filing_late(*, filed_on: dt.date, due: dt.date) -> bool:
    """Filed (or still unfiled) after the due day: late. On the due day itself it is on time."""
    return filed_on > due


# Membership (會員制): the states of a member customer's membership on a day.
MEMBERSHIP_ACTIVE = "active"
MEMBERSHIP_RENEWAL_DUE = "renewal_due"
MEMBERSHIP_LAPSED = "lapsed"


def membership_state(*, tier: str, renews_on: dt.date | None, today: dt.date, lead_days: int) -> str | None:
    """None for an ordinary customer. A member whose renewal date has passed has lapsed (the renewal day itself is
    still a member day); within `lead_days` of it the renewal is due; no renewal date: a membership without end."""
    if tier != "member":
        return None
    if renews_on is None:
        return MEMBERSHIP_ACTIVE
    if renews_on < today:
        return MEMBERSHIP_LAPSED
    if renews_on <= today + dt.timedelta(days=lead_days):
        return MEMBERSHIP_RENEWAL_DUE
    return MEMBERSHIP_ACTIVE
