"""Contract not filed: signed contracts past the sales app's filing deadline."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from sales.models import Contract, ContractStatus
from sales.selectors import contracts_filing_overdue

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, CONTRACT_ROW, customer_label, insert, reminder_row


def scan_contract_filing(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Signed contracts past the sales app's filing deadline (`Contract.filing_due_on`) and still not filed.

    The deadline is the sales app's (`sales.selectors.contracts_filing_overdue`): set when the contract is signed,
    from the sales policy in force that day; the reminder is due on that deadline."""
    today = timezone.localdate(now)
    rows = (
        contracts_filing_overdue(today=today)
        .select_related(None)
        .order_by()
        .values_list(
            *CONTRACT_ROW,
            "signed_on",
            "filing_due_on",
        )
    )
    return insert(
        reminder_row(
            ReminderKind.CONTRACT_FILING,
            f"contract:{cid}:{signed.isoformat() if signed else due.isoformat()}",
            owner_id=owner,
            unit_id=unit,
            customer_id=cust,
            subject=("sales.contract", cid),
            due_on=due,
            send_after=now,
            params={
                "contract": number,
                "customer": customer_label(name, short),
                "signed_on": signed.isoformat() if signed else "",
                "filing_due_on": due.isoformat(),
                "days": (due - signed).days if signed else 0,
            },
        )
        for cid, number, owner, unit, cust, name, short, signed, due in rows.iterator(chunk_size=BATCH)
    )


def resolve_contract_filing(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once the contract is no longer signed-but-unfiled."""
    return live.exclude(
        Exists(Contract.objects.filter(pk=OuterRef("subject_id"), status=ContractStatus.SIGNED))
    ).update(**close)


def contract_filing_still_relevant(reminder: Reminder) -> bool:
    return Contract.objects.filter(pk=reminder.subject_id, status=ContractStatus.SIGNED).exists()


register(
    ReminderKind.CONTRACT_FILING,
    scan=scan_contract_filing,
    resolve=resolve_contract_filing,
    still_relevant=contract_filing_still_relevant,
)
