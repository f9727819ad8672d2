"""Reminder kinds: one module per kind (its scan and its resolve rules), registered in `registry.REGISTRY`.

Adding a kind: a `ReminderKind` value, a module here that calls `registry.register(...)`, and its import below.
"""

from . import (  # noqa: F401 - importing a kind's module registers it
    card_filing,
    contract_filing,
    daily_report,
    follow_up,
    interest_warning,
    membership_renewal,
    next_step,
    pool_release,
    promise_missed,
    receivable_overdue,
    reorder,
)
from .registry import REGISTRY, ReminderKindRules, register, registered, still_relevant
from .runner import reminders_auto_resolve, reminders_wake_snoozed, scan_all

__all__ = [
    "REGISTRY",
    "ReminderKindRules",
    "register",
    "registered",
    "reminders_auto_resolve",
    "reminders_wake_snoozed",
    "scan_all",
    "still_relevant",
]
