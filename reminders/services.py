"""Every write of the reminders app, re-exported from the modules that hold them (the names other apps, Celery
tasks, views and the API call):

* `reminders.scans` — the periodic scan: one module per reminder kind (its scan and its resolve rules), registered
  in `reminders.scans.registry`; `scan_all` runs every registered kind. The scan inserts one row per (kind,
  subject, due period) with INSERT ... ON CONFLICT (dedup_key) DO NOTHING, so two scans running at once, or a scan
  re-run after a crash, never create a second row;
* `reminders.sender` — delivery of due reminders, exactly once;
* `reminders.actions` — what people do with their reminders (snooze, done, reopen, retry);
* `reminders.notifications` — the notification centre (mark read);
* `reminders.preferences` — reminder settings and customers' messaging consent.
"""

from __future__ import annotations

from .actions import reminder_done, reminder_reopen, reminder_retry, reminder_snooze
from .notifications import notification_mark_read, notifications_mark_all_read
from .preferences import messaging_preference_set, reminder_settings_update
from .scans import REGISTRY, reminders_auto_resolve, reminders_wake_snoozed, scan_all
from .sender import reminder_send_next, reminders_send_due

reminders_scan = scan_all  # the name the Celery task `reminders.scan` and the benchmark call
SCANS = {kind: rules.scan for kind, rules in REGISTRY.items()}  # kind -> scan function (benchmark)

__all__ = [
    "SCANS",
    "messaging_preference_set",
    "notification_mark_read",
    "notifications_mark_all_read",
    "reminder_done",
    "reminder_reopen",
    "reminder_retry",
    "reminder_send_next",
    "reminder_settings_update",
    "reminder_snooze",
    "reminders_auto_resolve",
    "reminders_scan",
    "reminders_send_due",
    "reminders_wake_snoozed",
]
