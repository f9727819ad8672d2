"""Customer-card filing: each unit's monthly filing of last month's cards, before the customers app's deadline."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import SalesUnit
from core.periods import add_months, month_start
from customers.models import MonthlyFiling
from customers.selectors import filing_due_date, overdue_filings, unfiled_units

from ..models import Reminder, ReminderKind, ReminderSettings
from ..selectors import card_filing_shown
from .registry import register
from .rows import insert, reminder_row


def scan_card_filing(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Each unit's monthly customer-card filing (the customers app's rule: last month's cards by the 10th, which is
    still on time): the unit's manager, `card_filing_lead_days` before the deadline, only while the unit has not
    filed; a unit still unfiled once the deadline has passed (`customers.selectors.overdue_filings`) is reminded
    too if it was not before (within `catch_up_days`). One reminder per unit and month."""
    today = timezone.localdate(now)
    month = add_months(month_start(today), -1)  # the month whose cards are due
    due = filing_due_date(month)  # the last day the filing is on time
    if not card_filing_shown(today=today, due=due, lead_days=cfg.card_filing_lead_days):
        return 0
    if today <= due:
        unit_ids = list(unfiled_units(month=month).values_list("pk", flat=True))
    elif (today - due).days <= cfg.catch_up_days + 1:  # catch_up_days counted from the first late day
        unit_ids = [unit.pk for unit, _month in overdue_filings(today=today)]
    else:
        return 0
    rows = SalesUnit.objects.filter(pk__in=unit_ids, manager__isnull=False, manager__is_active=True).values_list(
        "id", "name", "manager_id"
    )
    return insert(
        reminder_row(
            ReminderKind.CARD_FILING,
            f"unit:{uid}:{due:%Y-%m}",
            owner_id=manager,
            unit_id=uid,
            subject=("accounts.salesunit", uid),
            due_on=due,
            send_after=now,
            params={"unit": name, "due_on": due.isoformat(), "month": f"{month:%Y-%m}"},
        )
        for uid, name, manager in rows
    )


def resolve_card_filing(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """A handful of open rows (one per unit and month), matched against the units that filed."""
    card = {
        pk: (unit, dt.date.fromisoformat(f"{month}-01"))
        for pk, unit, month in live.filter(params__has_key="month").values_list("pk", "subject_id", "params__month")
    }
    if not card:
        return 0
    filed = set(
        MonthlyFiling.objects.filter(
            unit_id__in={u for u, _m in card.values()}, month__in={m for _u, m in card.values()}
        ).values_list("unit_id", "month")
    )
    done = [pk for pk, key in card.items() if key in filed]
    if not done:
        return 0
    return live.filter(pk__in=done).update(**close)


def card_filing_still_relevant(reminder: Reminder) -> bool:
    if not reminder.params.get("month"):
        return True
    month = dt.date.fromisoformat(f"{reminder.params['month']}-01")
    return not MonthlyFiling.objects.filter(unit_id=reminder.subject_id, month=month).exists()


register(
    ReminderKind.CARD_FILING,
    scan=scan_card_filing,
    resolve=resolve_card_filing,
    still_relevant=card_filing_still_relevant,
)
