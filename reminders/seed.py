"""Demo repeat-purchase history for the reorder prediction, called by `manage.py seed_demo` (and by
`manage.py reminders_seed_demo`). Idempotent: the random sequence is fixed and existing order numbers are skipped.

Real buyers of consumables reorder on their own rhythm with noise: each demo customer gets a rhythm of 20-90
days, +-15% jitter, an occasional skipped cycle or rush order, quantities that vary, and a few who stopped
buying (lapsed). Some customers also agree to receive reminders by SMS or e-mail.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.money import round_money
from customers.models import Customer
from reminders.models import Channel, CustomerMessagingPreference
from sales.models import Contract, ContractLine, ContractStatus, Product

CONSUMABLE_CATEGORIES = ["耗材", "材料"]


@dataclass(frozen=True)
class SeedResult:
    orders: int
    customers: int


# ~60 lines: one demo-data recipe read top to bottom around one fixed random sequence
@transaction.atomic
def run(*, people=None, customers: int = 60) -> SeedResult:
    """Add repeat consumable orders to the first `customers` owned customers (`people` is accepted for the
    seed_demo protocol; the history follows each customer's owner)."""
    rng = random.Random(7)
    today = timezone.localdate()
    products = list(Product.objects.filter(category__in=CONSUMABLE_CATEGORIES).order_by("code"))
    if not products:
        return SeedResult(orders=0, customers=0)
    chosen = list(Customer.objects.filter(owner__isnull=False).select_related("owner").order_by("id")[:customers])
    existing = set(Contract.objects.filter(number__startswith="R").values_list("number", flat=True))
    orders = 0
    for i, customer in enumerate(chosen):
        for product in rng.sample(products, rng.randint(1, min(2, len(products)))):
            rhythm = rng.randint(20, 90)
            base_qty = rng.randint(5, 50)
            lapsed = rng.random() < 0.1
            end = today - dt.timedelta(days=rng.randint(150, 300) if lapsed else rng.randint(0, rhythm))
            day = end
            history = []
            for _n in range(rng.randint(4, 12)):
                history.append(day)
                gap = rhythm * rng.uniform(0.85, 1.15)
                r = rng.random()
                if r < 0.08:
                    gap *= 2  # a skipped cycle
                elif r < 0.13:
                    gap *= 0.5  # a rush order
                day -= dt.timedelta(days=max(1, round(gap)))
            for n, signed in enumerate(sorted(history)):
                quantity = Decimal(max(1, round(base_qty * rng.uniform(0.7, 1.3))))
                number = f"R{customer.pk:05d}-{product.pk:03d}-{n:02d}"
                if number in existing:
                    continue  # idempotent: the random sequence is the same on every run
                contract = Contract.objects.create(
                    number=number,
                    customer=customer,
                    owner=customer.owner,
                    unit=customer.unit or customer.owner.unit,
                    status=ContractStatus.FILED,
                    signed_on=signed,
                    filing_due_on=signed + dt.timedelta(days=3),
                    amount=round_money(quantity * 500),
                )
                ContractLine.objects.create(
                    contract=contract,
                    product=product,
                    quantity=quantity,
                    unit_price=Decimal("500.00"),
                    standard_price=Decimal("500.00"),
                )
                existing.add(number)
                orders += 1
        if i % 3 == 0 and (customer.phone or customer.email):
            CustomerMessagingPreference.objects.get_or_create(
                customer=customer,
                defaults={
                    "opted_in": True,
                    "opted_in_at": timezone.now(),
                    "channel": Channel.SMS if customer.phone else Channel.EMAIL,
                    "language": "zh-hant",
                },
            )
    return SeedResult(orders=orders, customers=len(chosen))
