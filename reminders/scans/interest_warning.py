"""Overdue interest starts soon: the salesperson is warned the policy's `warning_days` before interest starts on
a shipment still unpaid (receivables.rules: the day after the shipment's due date). Once per shipment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from core.money import round_money
from core.periods import add_months
from receivables.selectors import policy_for, positions_for
from sales.models import SOLD_STATUSES, Contract

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, CONTRACT_ROW, customer_label, insert, reminder_row, shipped_between


def scan_interest_warning(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    today = timezone.localdate(now)
    policy = policy_for(today)
    horizon = today + dt.timedelta(days=policy.warning_days)
    # Shipments falling due in [today, horizon) (add_months clamps month ends: widen a little, then exact).
    lo = add_months(today, -policy.grace_months) - dt.timedelta(days=3)
    hi = add_months(horizon, -policy.grace_months)
    candidates = (
        Contract.objects.filter(status__in=SOLD_STATUSES)
        .filter(shipped_between(lo, hi))
        .select_related("customer")
        .only(*CONTRACT_ROW, "amount", "retention_amount", "retention_due_on")
        .order_by("id")
    )

    def rows() -> Iterator[Reminder]:
        start = 0
        while True:
            chunk = list(candidates.filter(pk__gt=start)[:BATCH])
            if not chunk:
                return
            start = chunk[-1].pk
            positions = positions_for(contract_ids=[c.pk for c in chunk], as_of=today, policy=policy)
            for c in chunk:
                for s in positions[c.pk].shipments:
                    if s.open <= 0 or not today <= s.due_on < horizon:
                        continue
                    starts_on = s.due_on + dt.timedelta(days=1)
                    yield reminder_row(
                        ReminderKind.INTEREST_WARNING,
                        f"shipment:{s.shipment_id}",
                        owner_id=c.owner_id,
                        unit_id=c.unit_id,
                        customer_id=c.customer_id,
                        subject=("sales.contract", c.pk),
                        due_on=s.due_on,
                        send_after=now,
                        params={
                            "contract": c.number,
                            "customer": customer_label(c.customer.name, c.customer.short_name),
                            "shipped_on": s.shipped_on.isoformat(),
                            "due_on": s.due_on.isoformat(),
                            "starts_on": starts_on.isoformat(),
                            "outstanding": str(round_money(s.open)),
                            "rate": f"{(policy.monthly_rate * 100).normalize():f}",
                            "shipment": s.shipment_id,
                        },
                    )

    return insert(rows())


def resolve_interest_warning(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once the warned shipment is paid."""
    open_rows = list(live.values_list("pk", "subject_id", "params").order_by())
    if not open_rows:
        return 0
    positions = positions_for(contract_ids={cid for _pk, cid, _p in open_rows}, as_of=timezone.localdate(now))
    settled = []
    for pk, cid, params in open_rows:
        pos = positions.get(cid)
        shipment = next((s for s in pos.shipments if s.shipment_id == params.get("shipment")), None) if pos else None
        if shipment is None or shipment.open <= 0:
            settled.append(pk)
    return live.filter(pk__in=settled).update(**close) if settled else 0


register(ReminderKind.INTEREST_WARNING, scan=scan_interest_warning, resolve=resolve_interest_warning)
