"""Demo data of the documents app: who confirms filing receipts for administration (行政管理部), and the receipts of
the originals of the older signed contracts, so the demo has filed contracts (some late) beside signed ones still
waiting (the overdue list)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sales.models import Contract, ContractStatus

from .models import FilingDepartment, FilingDesk
from .services import filing_desk_set, filing_receipt_confirm

# Contracts signed at least this long ago are filed in the demo; younger ones still wait for their receipts.
FILED_AFTER_DAYS = 7


def run(*, people) -> None:
    rng = random.Random(1515)
    admin = people.others["admin"]
    clerk = people.others.get("staff01")
    if clerk is not None and not FilingDesk.objects.filter(department=FilingDepartment.ADMINISTRATION).exists():
        filing_desk_set(actor=admin, department=FilingDepartment.ADMINISTRATION, user=clerk)
    desks = {
        FilingDepartment.FINANCE: people.others["finance"],
        FilingDepartment.GM_OFFICE: people.others["gm"],
        FilingDepartment.ADMINISTRATION: clerk,
    }
    if clerk is None:
        return
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    old = Contract.objects.filter(
        status=ContractStatus.SIGNED, signed_on__lte=today - dt.timedelta(days=FILED_AFTER_DAYS)
    ).order_by("pk")
    for contract in old:
        assert contract.signed_on is not None
        for department, actor in desks.items():
            day = min(today, contract.signed_on + dt.timedelta(days=rng.choice([0, 1, 2, 3, 3, 4])))
            at = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)), tzinfo=tz)
            filing_receipt_confirm(actor=actor, contract=contract, department=department, at=at)
