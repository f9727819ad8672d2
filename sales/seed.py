"""Demo products, a price list, discount authorities and a few months of contracts, shipments and payments,
written through the real services so every contract passed the approval rules (some needed approvals)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from core.exceptions import ApplicationError
from customers.models import Customer

from .models import Contract, ContractStatus, PaymentKind, PriceList, Product, SalesLevel
from .services.catalogue import PriceInput, discount_authority_set, price_list_create, sales_level_assign
from .services.contracts import (
    contract_approve,
    contract_create,
    contract_sign,
    contract_submit,
    contract_update,
)
from .services.fulfilment import payment_record, shipment_create
from .services.pricing import LineInput

PRODUCTS = [
    ("P-100", "工業馬達 5HP", "Industrial motor 5HP", "台", "機電", 18000, 12500),
    ("P-101", "工業馬達 10HP", "Industrial motor 10HP", "台", "機電", 32000, 23000),
    ("P-200", "變頻器 7.5kW", "Inverter 7.5kW", "台", "機電", 24000, 17500),
    ("P-300", "不鏽鋼管 2吋", "Stainless pipe 2in", "支", "材料", 1200, 980),
    ("P-301", "不鏽鋼板 3mm", "Stainless sheet 3mm", "片", "材料", 4500, 3500),
    ("P-400", "控制盤", "Control panel", "組", "機電", 85000, 60000),
    ("P-500", "潤滑油 20L", "Lubricant 20L", "桶", "耗材", 2600, 1500),
    ("P-501", "濾心", "Filter cartridge", "個", "耗材", 450, 260),
    ("P-600", "感測器模組", "Sensor module", "個", "電子", 3800, 2300),
    ("P-700", "安裝工程", "Installation service", "式", "服務", 50000, 36000),
]


def _seed_catalogue(*, admin, today: dt.date) -> list[Product]:
    products = []
    for code, name, name_en, uom, cat, _price, _cost in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            code=code, defaults=dict(name=name, name_en=name_en, unit_of_measure=uom, category=cat)
        )
        products.append(product)
    if not PriceList.objects.exists():
        price_list_create(
            actor=admin,
            name="集團定價標準",
            producing_unit="生產一廠",
            effective_from=today - dt.timedelta(days=365),
            items=[
                PriceInput(product=p, standard_price=Decimal(row[5]), cost=Decimal(row[6]))
                for p, row in zip(products, PRODUCTS, strict=True)
            ],
        )
    return products


def _seed_authority(*, admin, people, today: dt.date) -> None:
    junior, created = SalesLevel.objects.get_or_create(code="junior", defaults={"name": "初級業務"})
    if not created:
        return
    senior = SalesLevel.objects.create(code="senior", name="資深業務")
    start = today - dt.timedelta(days=365)
    discount_authority_set(actor=admin, level=junior, max_discount_percent=Decimal("5"), effective_from=start)
    discount_authority_set(actor=admin, level=senior, max_discount_percent=Decimal("10"), effective_from=start)
    for i, sp in enumerate(people.salespeople):
        sales_level_assign(actor=admin, level=senior if i % 3 == 0 else junior, user=sp)
    if people.salespeople:
        discount_authority_set(
            actor=admin,
            user=people.salespeople[0],
            max_discount_percent=Decimal("15"),
            effective_from=start,
            note="個人例外",
        )


def _draft_contract(*, sp, customer, k: int, lines: list[LineInput], today: dt.date) -> Contract:
    contract = contract_create(
        actor=sp, customer=customer, lines=lines, title=f"{customer} {k + 1}", payment_terms="月結 30 天"
    )
    terms = {}
    if contract.amount >= Decimal("100000"):
        terms["prepayment_amount"] = (contract.amount * Decimal("0.3")).quantize(Decimal("1"))
    if k == 0:
        terms["retention_amount"] = (contract.amount * Decimal("0.1")).quantize(Decimal("1"))
        terms["retention_due_on"] = today + dt.timedelta(days=300)
    if terms:
        contract = contract_update(actor=sp, contract=contract, **terms)
    return contract


def _carry_through(rng: random.Random, contract: Contract, *, k: int, sp, manager, gm, finance, today: dt.date) -> None:
    """Submit, approve, sign, ship and collect, stopping at the stage the k-th contract of a person stays in."""
    contract = contract_submit(actor=sp, contract=contract)
    if contract.status == ContractStatus.IN_REVIEW and k != 4:
        roles = set(contract.approvals.values_list("approver_role", flat=True))
        if "manager" in roles and manager:
            contract = contract_approve(actor=manager, contract=contract, comment="同意")
        if "gm_office" in roles:
            contract = contract_approve(actor=gm, contract=contract, comment="同意")
    if contract.status != ContractStatus.APPROVED or k == 4:
        return
    signed = today - dt.timedelta(days=rng.randint(3, 120) if k < 3 else rng.randint(1, 6))
    contract = contract_sign(actor=sp, contract=contract, signed_on=signed)
    if k == 3:
        return  # signed, filing due
    # The older ones are filed by documents.seed: the three departments' receipts of the original.
    shipped = min(today, signed + dt.timedelta(days=rng.randint(2, 10)))
    shipment_create(actor=sp, contract=contract, shipped_on=shipped)
    if contract.prepayment_amount:
        payment_record(
            actor=finance,
            contract=contract,
            paid_on=signed,
            amount=contract.prepayment_amount,
            kind=PaymentKind.PREPAYMENT,
        )
    collectible = contract.amount - contract.retention_amount - contract.prepayment_amount
    share = Decimal(rng.choice(["1", "1", "0.5", "0"]))
    paid = (collectible * share).quantize(Decimal("0.01"))
    if paid > 0:
        payment_record(
            actor=finance,
            contract=contract,
            paid_on=min(today, shipped + dt.timedelta(days=rng.randint(5, 40))),
            amount=paid,
            kind=PaymentKind.FINAL if share == 1 else PaymentKind.PROGRESS,
        )


def run(*, people) -> list[Contract]:
    rng = random.Random(4242)
    admin = people.others["admin"]
    finance = people.others["finance"]
    gm = people.others["gm"]
    today = timezone.localdate()
    products = _seed_catalogue(admin=admin, today=today)
    _seed_authority(admin=admin, people=people, today=today)

    contracts = []
    for sp in people.salespeople:
        if Contract.objects.filter(owner=sp).exists():
            continue
        own_customers = list(Customer.objects.filter(owner=sp).order_by("id")[:6])
        if not own_customers:
            continue
        manager = sp.unit.manager if sp.unit else None
        for k in range(6):
            customer = own_customers[k % len(own_customers)]
            lines = [
                LineInput(
                    product=product,
                    quantity=Decimal(rng.randint(1, 12)),
                    discount_percent=Decimal(rng.choice(["0", "0", "3", "5", "8", "12"])),
                )
                for product in rng.sample(products, rng.randint(1, 3))
            ]
            try:
                contract = _draft_contract(sp=sp, customer=customer, k=k, lines=lines, today=today)
                contracts.append(contract)
                if k != 5:  # the sixth stays a draft
                    _carry_through(rng, contract, k=k, sp=sp, manager=manager, gm=gm, finance=finance, today=today)
            except ApplicationError:
                continue  # e.g. a credit limit refusal: demo data keeps going
    return contracts
