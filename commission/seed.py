"""Demo commission data: confidential costs, expense claims (approved and pending) and a cooperation bonus."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from core.money import round_money
from sales.models import Contract, ContractStatus

from .models import ContractCost, CooperationBonus, ExpenseClaim, ExpenseKind, ExpenseStatus, MarketFundSpend
from .selectors import load_facts

EXPENSES = ["客戶拜訪交通費", "技術交流餐敘", "樣品運費", "展覽攤位分攤", "安裝現場住宿"]


def run(*, people) -> None:
    rng = random.Random(5151)
    today = timezone.localdate()
    finance = people.others["finance"]
    staff = people.others.get("staff01")
    contracts = Contract.objects.filter(status=ContractStatus.FILED).select_related("owner", "unit").order_by("number")
    known_cost = {f.id for f in load_facts(contracts) if f.cost is not None}
    for i, contract in enumerate(contracts):
        if contract.id not in known_cost:
            # No cost from the price lists: finance records one. Margins from 15 % to 40 %: both allowance rules.
            ratio = Decimal(rng.choice(["0.60", "0.70", "0.74", "0.76", "0.80", "0.85"]))
            ContractCost.objects.create(
                contract=contract, cost=round_money(contract.amount * ratio), recorded_by=finance
            )
        if ExpenseClaim.objects.filter(contract=contract).exists():
            continue
        manager = contract.unit.manager
        for k in range(rng.randint(0, 2)):
            incurred = min(today, (contract.signed_on or today) + dt.timedelta(days=rng.randint(0, 20)))
            amount = round_money(contract.amount * Decimal(rng.choice(["0.02", "0.05", "0.09"])))
            pending = k == 1 and i % 3 == 0
            ExpenseClaim.objects.create(
                contract=contract,
                claimant=contract.owner,
                kind=rng.choice([ExpenseKind.ADVANCE, ExpenseKind.CLAIM]),
                amount=max(amount, Decimal("100.00")),
                description=rng.choice(EXPENSES),
                incurred_on=incurred,
                status=ExpenseStatus.PENDING if pending or manager is None else ExpenseStatus.APPROVED,
                decided_by=None if pending or manager is None else manager,
                decided_on=None if pending or manager is None else incurred,
            )
        if staff is not None and i % 7 == 0:
            CooperationBonus.objects.get_or_create(
                contract=contract, staff=staff, defaults={"rate_percent": Decimal("1.5"), "basis": "sales"}
            )
    _seed_market_fund(today=today, finance=finance, contracts=contracts)


def _seed_market_fund(*, today: dt.date, finance, contracts) -> None:
    """The market service fund: the last twelve ended months accrued, one approved follow-up visit spending and
    one request waiting for the GM office (idempotent: accruing again adds nothing)."""
    from core import periods

    from .services import _accrue_market_fund

    first = periods.add_months(periods.month_start(today), -12)
    for n in range(12):
        _accrue_market_fund(month=periods.add_months(first, n), actor=finance)
    if MarketFundSpend.objects.exists():
        return
    contract = contracts.exclude(unit__manager=None).first()
    if contract is None:
        return
    unit, manager = contract.unit, contract.unit.manager
    MarketFundSpend.objects.create(
        unit=unit,
        purpose="visit",
        amount=Decimal("3000.00"),
        description="第三季老客戶回訪（12 家）",
        spend_on=today - dt.timedelta(days=20),
        requested_by=manager,
    )
