"""Data for the documents tests: quotes and contracts made through the sales services (so their amounts, costs and
states are what the product makes), the company settings, and signed contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from documents.models import CompanySettings
from sales import services
from sales.models import ContractStatus, QuoteKind
from sales.services import LineInput
from sales.tests.factories import priced_product, submit_reviewed

# Names and numbers that must never reach a customer document.
INTERNAL_WORDS = ("設計費", "調試費", "不可預見費", "管理費", "利潤及稅金", "內部報價", "Design", "Commissioning")


def company(**values) -> CompanySettings:
    defaults = {
        "legal_name_zh": "測試機電股份有限公司",
        "legal_name_en": "Test Electric Co., Ltd.",
        "tax_id": "04595257",
        "address_zh": "臺北市信義區松仁路100號",
        "address_en": "No. 100, Songren Rd., Xinyi Dist., Taipei",
        "phone": "02-2345-6789",
        "bank_account": "臺灣銀行 信義分行 123-456-789",
        "default_payment_terms": "貨到三十日內付清",
    }
    row, _ = CompanySettings.objects.update_or_create(pk=1, defaults={**defaults, **values})
    return row


def customer_of(salesperson, **kwargs):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("100000000"), tax_id="22099131", **kwargs)
    ContactFactory(customer=customer, name="王小明", email="buyer@example.com", is_primary=True)
    return customer


def product_quote(salesperson, customer=None, *, lines: int = 2, cost: str = "612.34", standard: str = "1000.00"):
    customer = customer or customer_of(salesperson)
    products = [priced_product(standard=standard, cost=cost, name=f"變頻器{i}型") for i in range(lines)]
    return services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=p, quantity=D("3"), discount_percent=D("0")) for p in products],
        title="廠房設備報價",
    )


def engineering_quote(salesperson, customer=None, *, cost: str = "1234567.00"):
    customer = customer or customer_of(salesperson)
    return services.quote_create(
        actor=salesperson,
        customer=customer,
        kind=QuoteKind.ENGINEERING,
        equipment_cost=D(cost),
        title="污水處理廠統包工程",
    )


def approved(quote):
    quote = services.quote_submit(actor=quote.owner, quote=quote)
    assert quote.status == "approved", quote.status
    return quote


def contract_for(salesperson, customer=None, *, cost: str = "612.34", **fields):
    customer = customer or customer_of(salesperson)
    product = priced_product(standard="1000.00", cost=cost, name="控制盤")
    return services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("2"), discount_percent=D("0"))],
        title="控制盤採購",
        payment_terms="簽約後付三成，交貨後付七成",
        **fields,
    )


def signed(contract, *, on: dt.date | None = None):
    contract = submit_reviewed(actor=contract.owner, contract=contract)
    contract = services.contract_sign(actor=contract.owner, contract=contract, signed_on=on or timezone.localdate())
    assert contract.status == ContractStatus.SIGNED
    return contract


def file_by_receipts(contract):
    """Finance, the GM office and administration each confirm receipt of the signed contract's original (the desks
    are made if missing): the third receipt files the contract, today. Returns the contract, refreshed."""
    from accounts.models import Role
    from accounts.tests.factories import FinanceFactory, GMFactory, UserFactory
    from documents import services as document_services
    from documents.models import FilingDepartment, FilingDesk

    desk = FilingDesk.objects.filter(department=FilingDepartment.ADMINISTRATION).first()
    if desk is None:
        clerk = UserFactory(role=Role.STAFF, unit=None, full_name="行政管理部 收件")
        FilingDesk.objects.create(department=FilingDepartment.ADMINISTRATION, user=clerk)
    elif desk.user_id:
        clerk = desk.user
    else:
        clerk = UserFactory(role=desk.role, unit=None)
    for actor, department in (
        (FinanceFactory(), FilingDepartment.FINANCE),
        (GMFactory(), FilingDepartment.GM_OFFICE),
        (clerk, FilingDepartment.ADMINISTRATION),
    ):
        document_services.filing_receipt_confirm(actor=actor, contract=contract, department=department)
    contract.refresh_from_db()
    return contract
