"""Promise to pay missed: a customer promised (in the receivables collections log) to pay an amount by a date, and
less was received by then. The salesperson and finance are told once, each in their language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from accounts.models import Role, User
from receivables.selectors import promises_missed

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import customer_label, insert, reminder_row


def scan_promise_missed(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    today = timezone.localdate(now)
    missed = promises_missed(today=today, since=today - dt.timedelta(days=cfg.catch_up_days + 1))
    if not missed:
        return 0
    finance = list(User.objects.filter(is_active=True, role=Role.FINANCE).values_list("pk", flat=True))

    def rows() -> Iterator[Reminder]:
        for note, received in missed:
            owner = note.contract.owner_id if note.contract else note.customer.owner_id
            params = {
                "customer": customer_label(note.customer.name, note.customer.short_name),
                "promised_on": note.promised_on.isoformat(),
                "promised_amount": f"{note.promised_amount:,.2f}",
                "received": f"{received:,.2f}",
            }
            for who in dict.fromkeys([owner, *finance]):
                if who is None:
                    continue
                yield reminder_row(
                    ReminderKind.PROMISE_MISSED,
                    f"note:{note.pk}:to:{who}",
                    owner_id=who,
                    unit_id=note.customer.unit_id,
                    customer_id=note.customer_id,
                    subject=("customers.customer", note.customer_id),
                    due_on=note.promised_on,
                    send_after=now,
                    params=params,
                )

    return insert(rows())


register(ReminderKind.PROMISE_MISSED, scan=scan_promise_missed)
