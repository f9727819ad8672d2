"""Demo repeat-purchase history for the reorder prediction (run after seed_demo; idempotent).

Real buyers of consumables reorder on their own rhythm with noise: each demo customer gets a rhythm of 20-90
days, +-15% jitter, an occasional skipped cycle or rush order, quantities that vary, and a few who stopped
buying (lapsed). Some customers also agree to receive reminders by SMS or e-mail.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.money import round_money
from customers.models import Customer
from reminders.models import Channel, CustomerMessagingPreference
from sales.models import Contract, ContractLine, ContractStatus, Product


class Command(BaseCommand):
    help = "Add repeat consumable orders to the demo customers, for the reorder prediction and its back-test."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=60)

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(7)
        today = timezone.localdate()
        products = list(Product.objects.filter(category__in=["耗材", "材料"]).order_by("code"))
        if not products:
            self.stderr.write("No consumable products: run seed_demo first.")
            return
        customers = list(Customer.objects.filter(owner__isnull=False).order_by("id")[: options["customers"]])
        orders = 0
        for i, customer in enumerate(customers):
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
                    if Contract.objects.filter(number=number).exists():
                        continue  # idempotent: the random sequence is the same on every run
                    contract = Contract.objects.create(
                        number=number,
                        customer=customer,
                        owner=customer.owner,
                        unit=customer.unit or customer.owner.unit,
                        status=ContractStatus.FILED,
                        signed_on=signed,
                        amount=round_money(quantity * 500),
                    )
                    ContractLine.objects.create(
                        contract=contract,
                        product=product,
                        quantity=quantity,
                        unit_price=Decimal("500.00"),
                        standard_price=Decimal("500.00"),
                    )
                    orders += 1
            if i % 3 == 0 and (customer.phone or customer.email):
                CustomerMessagingPreference.objects.update_or_create(
                    customer=customer,
                    defaults={
                        "opted_in": True,
                        "opted_in_at": timezone.now(),
                        "channel": Channel.SMS if customer.phone else Channel.EMAIL,
                        "language": "zh-hant",
                    },
                )
        self.stdout.write(f"{orders} repeat orders for {len(customers)} customers.")
