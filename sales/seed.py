"""Demo products and a few months of contracts, shipments and payments."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from core.money import round_money
from customers.models import Customer

from .models import Contract, ContractLine, ContractStatus, Payment, PaymentKind, Product, Shipment

PRODUCTS = [
    ("P-100", "工業馬達 5HP", "Industrial motor 5HP", "台", "機電", 18000),
    ("P-101", "工業馬達 10HP", "Industrial motor 10HP", "台", "機電", 32000),
    ("P-200", "變頻器 7.5kW", "Inverter 7.5kW", "台", "機電", 24000),
    ("P-300", "不鏽鋼管 2吋", "Stainless pipe 2in", "支", "材料", 1200),
    ("P-301", "不鏽鋼板 3mm", "Stainless sheet 3mm", "片", "材料", 4500),
    ("P-400", "控制盤", "Control panel", "組", "機電", 85000),
    ("P-500", "潤滑油 20L", "Lubricant 20L", "桶", "耗材", 2600),
    ("P-501", "濾心", "Filter cartridge", "個", "耗材", 450),
    ("P-600", "感測器模組", "Sensor module", "個", "電子", 3800),
    ("P-700", "安裝工程", "Installation service", "式", "服務", 50000),
]


def run(*, people) -> list[Contract]:
    rng = random.Random(4242)
    products = []
    for code, name, name_en, uom, cat, _price in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            code=code, defaults=dict(name=name, name_en=name_en, unit_of_measure=uom, category=cat)
        )
        products.append(product)
    prices = {p.code: Decimal(row[5]) for p, row in zip(products, PRODUCTS, strict=True)}
    today = timezone.localdate()
    contracts = []
    finance = people.others["finance"]
    for sp_index, sp in enumerate(people.salespeople):
        own_customers = list(Customer.objects.filter(owner=sp).order_by("id")[:6])
        for k in range(6):
            number = f"C{today.year}-{sp_index + 1:02d}{k + 1:02d}"
            if Contract.objects.filter(number=number).exists():
                continue
            signed = today - dt.timedelta(days=rng.randint(3, 120))
            status = ContractStatus.FILED if k < 4 else rng.choice([ContractStatus.DRAFT, ContractStatus.IN_REVIEW])
            contract = Contract.objects.create(
                number=number,
                customer=own_customers[k % len(own_customers)],
                owner=sp,
                unit=sp.unit,
                status=status,
                signed_on=signed if status == ContractStatus.FILED else None,
            )
            lines = []
            for product in rng.sample(products, rng.randint(1, 3)):
                standard = prices[product.code]
                unit_price = round_money(standard * Decimal(rng.choice(["0.95", "1.00", "1.05", "1.10", "1.20"])))
                lines.append(
                    ContractLine(
                        contract=contract,
                        product=product,
                        quantity=Decimal(rng.randint(1, 20)),
                        unit_price=unit_price,
                        standard_price=standard,
                    )
                )
            ContractLine.objects.bulk_create(lines)
            contract.amount = round_money(sum(line.quantity * line.unit_price for line in lines))
            if k == 0:
                contract.retention_amount = round_money(contract.amount * Decimal("0.10"))
                contract.retention_due_on = signed + dt.timedelta(days=365)
            contract.save(update_fields=["amount", "retention_amount", "retention_due_on"])
            contracts.append(contract)
            if status != ContractStatus.FILED:
                continue
            shipped = signed + dt.timedelta(days=rng.randint(2, 10))
            if shipped <= today:
                Shipment.objects.create(contract=contract, shipped_on=shipped)
                collectible = contract.amount - contract.retention_amount
                share = Decimal(rng.choice(["1", "1", "0.5", "0"]))
                paid = round_money(collectible * share)
                paid_on = min(today, shipped + dt.timedelta(days=rng.randint(5, 40)))
                if paid > 0:
                    kind = PaymentKind.FINAL if share == 1 else PaymentKind.PROGRESS
                    Payment.objects.create(
                        contract=contract, paid_on=paid_on, amount=paid, kind=kind, recorded_by=finance
                    )
    return contracts
