"""Reads of the documents app: the company letterhead, the customer-facing content of quotes and contracts (built
field by field from the customer's prices only: a `CustomerDocument` has no place for cost, margin or the
engineering components), the internal cost-plus sheet, the statement of account, attachments, filing receipts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.money import ZERO, round_money
from customers.models import Customer
from receivables import selectors as receivables_selectors
from sales.models import (
    Contract,
    ContractLine,
    ContractStatus,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
)

from . import permissions, rules, targets
from .models import (
    Attachment,
    AttachmentTarget,
    CompanySettings,
    Dispatch,
    DocumentKind,
    DocumentOptions,
    FilingDepartment,
    FilingDesk,
    FilingReceipt,
    PurchaseOrder,
    TaxMode,
)

# A quote may go to the customer once approved (or later in its life); a contract once approved.
APPROVED_QUOTE = frozenset({QuoteStatus.APPROVED, QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED})
APPROVED_CONTRACT = frozenset({ContractStatus.APPROVED, ContractStatus.SIGNED, ContractStatus.FILED})


def company_settings() -> CompanySettings:
    """The company's row (pk 1), or the defaults (unsaved) before the admin first saves it."""
    return CompanySettings.objects.select_related("updated_by").filter(pk=1).first() or CompanySettings(pk=1)


def tax_inclusive(*, document: str, document_id: int, company: CompanySettings) -> bool:
    mode = DocumentOptions.objects.filter(document=document, document_id=document_id).values_list("tax_mode", flat=True)
    chosen = next(iter(mode), None)
    if chosen is None:
        return company.prices_include_tax
    return chosen == TaxMode.INCLUSIVE


# --- what the customer sees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    name: str
    name_en: str = ""
    tax_id: str = ""
    address: str = ""
    phone: str = ""
    contact: str = ""
    email: str = ""


@dataclass(frozen=True)
class DocLine:
    position: int
    description: str
    description_en: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class CustomerDocument:
    """Everything printed on a quote or contract, and nothing else. Built only from customer prices."""

    kind: str  # DocumentKind value
    number: str
    title: str
    issued_on: dt.date
    approved: bool
    company: CompanySettings
    customer: Party
    lines: tuple[DocLine, ...]
    totals: rules.TaxedTotal
    capitals: str
    valid_until: dt.date | None = None
    payment_terms: str = ""
    notes: str = ""
    extra: tuple[tuple[str, str, str], ...] = ()  # (zh label, en label, value)
    salesperson: str = ""


def _party(customer: Customer) -> Party:
    contacts = list(customer.contacts.all())
    primary = contacts[0] if contacts else None
    return Party(
        name=customer.name,
        tax_id=customer.tax_id,
        address=customer.address,
        phone=str(customer.phone or ""),
        contact=(f"{primary.name} {primary.title}".strip() if primary else ""),
        email=(primary.email if primary and primary.email else customer.email),
    )


def customer_email(customer: Customer) -> str:
    """Where a document goes by default: the primary contact's e-mail, else the customer's."""
    return _party(customer).email


def _totals(lines: Iterable[DocLine], *, inclusive: bool, company: CompanySettings) -> rules.TaxedTotal:
    lines_total = sum((ln.amount for ln in lines), ZERO)
    return rules.taxed_total(lines_total=lines_total, rate_percent=company.tax_rate_percent, inclusive=inclusive)


def visible_quote(*, user, pk: int) -> Quote:
    quote = (
        Quote.objects.visible_to(user)
        .select_related("customer", "owner", "unit")
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")), "customer__contacts")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404
    return quote


def visible_contract(*, user, pk: int) -> Contract:
    contract = (
        Contract.objects.visible_to(user)
        .select_related("customer", "owner", "unit", "quote", "po_consent_by")
        .prefetch_related(
            Prefetch("lines", queryset=ContractLine.objects.select_related("product")), "customer__contacts"
        )
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def contract_for_filing(*, user, pk: int) -> Contract:
    """The contract, for recording a filing receipt: one the user may see, or — for whoever confirms receipts for a
    department (a desk: 行政管理部's clerk is no company-wide role) — any signed or filed contract. Else Http404."""

    contract = Contract.objects.visible_to(user).filter(pk=pk).first()
    if contract is not None:
        return contract
    desks = filing_desks()
    if any(permissions.may_confirm_filing(user, department=d, desk=desks.get(d)) for d in FilingDepartment.values):
        contract = Contract.objects.filter(pk=pk, status__in=(ContractStatus.SIGNED, ContractStatus.FILED)).first()
        if contract is not None:
            return contract
    raise Http404


def visible_customer(*, user, pk: int) -> Customer:
    customer = Customer.objects.visible_to(user).prefetch_related("contacts").filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def quote_document(quote: Quote, *, company: CompanySettings | None = None) -> CustomerDocument:
    """The customer's quote. An engineering turnkey quote is one project line at the unit's external price."""
    company = company or company_settings()
    if quote.kind == QuoteKind.ENGINEERING:
        lines: tuple[DocLine, ...] = (
            DocLine(
                1, quote.title or "工程成套項目", "Turnkey project", Decimal("1"), "式", quote.amount, quote.amount
            ),
        )
    else:
        lines = tuple(
            DocLine(
                i,
                ln.product.name,
                ln.product.name_en,
                ln.quantity,
                ln.product.unit_of_measure,
                ln.unit_price,
                round_money(ln.quantity * ln.unit_price),
            )
            for i, ln in enumerate(quote.lines.all(), start=1)
        )
    totals = _totals(
        lines,
        inclusive=tax_inclusive(document=DocumentKind.QUOTE, document_id=quote.pk, company=company),
        company=company,
    )
    return CustomerDocument(
        kind=DocumentKind.QUOTE,
        number=quote.number,
        title=quote.title,
        issued_on=timezone.localdate(quote.created_at),
        approved=quote.status in APPROVED_QUOTE,
        company=company,
        customer=_party(quote.customer),
        lines=lines,
        totals=totals,
        capitals=rules.amount_in_capitals(totals.total),
        valid_until=quote.valid_until,
        payment_terms=company.default_payment_terms,
        notes=quote.note,
        salesperson=quote.owner.get_full_name(),
    )


def contract_document(contract: Contract, *, company: CompanySettings | None = None) -> CustomerDocument:
    company = company or company_settings()
    lines = tuple(
        DocLine(
            i,
            ln.product.name,
            ln.product.name_en,
            ln.quantity,
            ln.product.unit_of_measure,
            ln.unit_price,
            round_money(ln.quantity * ln.unit_price),
        )
        for i, ln in enumerate(contract.lines.all(), start=1)
    )
    inclusive = tax_inclusive(document=DocumentKind.CONTRACT, document_id=contract.pk, company=company)
    totals = _totals(lines, inclusive=inclusive, company=company)
    extra: list[tuple[str, str, str]] = []
    if contract.prepayment_amount:
        extra.append(("預付款", "Prepayment", f"{contract.prepayment_amount:,.2f}"))
    if contract.retention_amount:
        due = f" ({contract.retention_due_on:%Y-%m-%d})" if contract.retention_due_on else ""
        extra.append(("質保金", "Retention money", f"{contract.retention_amount:,.2f}{due}"))
    if contract.signed_on:
        extra.append(("簽訂日期", "Signed on", f"{contract.signed_on:%Y-%m-%d}"))
    return CustomerDocument(
        kind=DocumentKind.CONTRACT,
        number=contract.number,
        title=contract.title,
        issued_on=contract.signed_on or timezone.localdate(contract.created_at),
        approved=contract.status in APPROVED_CONTRACT,
        company=company,
        customer=_party(contract.customer),
        lines=lines,
        totals=totals,
        capitals=rules.amount_in_capitals(totals.total),
        payment_terms=contract.payment_terms or company.default_payment_terms,
        notes=contract.note,
        extra=tuple(extra),
        salesperson=contract.owner.get_full_name(),
    )


# --- the internal cost-plus sheet (cost viewers only) -------------------------------------------------------------

COMPONENT_LABELS = (
    ("design_rate", "設計費", "Design"),
    ("commissioning_rate", "調試費", "Commissioning"),
    ("contingency_rate", "不可預見費", "Contingency"),
    ("management_rate", "管理費", "Management"),
    ("profit_tax_rate", "利潤及稅金", "Profit and tax"),
)


@dataclass(frozen=True)
class CostSheet:
    """內部報價: the cost-plus build-up of an engineering quote on the equipment-and-material cost C."""

    number: str
    title: str
    customer: str
    company: CompanySettings
    cost: Decimal
    components: tuple[tuple[str, str, Decimal, Decimal], ...]  # (zh, en, rate %, amount)
    internal_price: Decimal
    external_price: Decimal


def cost_sheet(quote: Quote, *, company: CompanySettings | None = None) -> CostSheet:
    components = tuple(
        (zh, en, getattr(quote, name), round_money(quote.equipment_cost * getattr(quote, name) / Decimal(100)))
        for name, zh, en in COMPONENT_LABELS
    )
    return CostSheet(
        number=quote.number,
        title=quote.title,
        customer=quote.customer.name,
        company=company or company_settings(),
        cost=quote.equipment_cost,
        components=components,
        internal_price=quote.equipment_cost + sum((c[3] for c in components), ZERO),
        external_price=quote.amount,
    )


# --- statement of account (對帳單) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementEntry:
    on: dt.date
    contract: str
    reference: str
    charge: Decimal  # invoiced
    payment: Decimal  # received


@dataclass(frozen=True)
class Statement:
    customer: Customer
    as_of: dt.date
    entries: tuple[StatementEntry, ...]
    invoiced: Decimal
    paid: Decimal
    balance: Decimal  # what the customer still owes on its signed contracts
    aging: dict[str, Decimal] = field(default_factory=dict)
    retention: Decimal = ZERO
    unshipped: Decimal = ZERO


def statement_of_account(customer: Customer, as_of: dt.date) -> Statement:
    """The customer's statement (對帳單) for the PDF, from the receivables module's statement: invoices, payments and
    write-offs up to `as_of`, the balance and its aging (retention and unshipped goods apart). Not user-scoped: the
    caller checks that the user may see the customer."""
    soa = receivables_selectors.statement_of_account(customer, as_of)
    entries = tuple(
        StatementEntry(line.on, line.contract_number, line.reference, line.debit, line.credit) for line in soa.lines
    )
    return Statement(
        customer=customer,
        as_of=as_of,
        entries=entries,
        invoiced=soa.invoiced,
        paid=soa.credited,
        balance=soa.balance,
        aging=dict(soa.aging),
        retention=soa.retention_outstanding,
        unshipped=soa.unshipped,
    )


# --- attachments --------------------------------------------------------------------------------------------------


def visible_target(*, user, target: str, target_id: int):
    """The record an attachment belongs to, if the user may see it; else Http404."""
    if target == AttachmentTarget.CUSTOMER:
        return visible_customer(user=user, pk=target_id)
    if target == AttachmentTarget.QUOTE:
        return visible_quote(user=user, pk=target_id)
    if target == AttachmentTarget.CONTRACT:
        return visible_contract(user=user, pk=target_id)
    if target == AttachmentTarget.PURCHASE_ORDER:
        po = PurchaseOrder.objects.filter(pk=target_id).only("contract_id").first()
        if po is None:
            raise Http404
        visible_contract(user=user, pk=po.contract_id)
        return po
    external = targets.get(target)
    if external is not None:  # a record of an app above documents: that app says who sees it
        return external.visible(user=user, pk=target_id)
    raise Http404


def attachments_for(*, target: str, target_id: int):
    return (
        Attachment.objects.filter(target=target, target_id=target_id, deleted_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def attachments_for_many(*, target: str, target_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The live attachments of many records of one kind, by record id (one query)."""
    found: dict[int, list[Attachment]] = {}
    for a in Attachment.objects.filter(target=target, target_id__in=list(target_ids), deleted_at__isnull=True).order_by(
        "created_at", "id"
    ):
        found.setdefault(a.target_id, []).append(a)
    return found


def visible_attachment(*, user, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk, deleted_at__isnull=True).first()
    if attachment is None:
        raise Http404
    visible_target(user=user, target=attachment.target, target_id=attachment.target_id)
    return attachment


def dispatches_for(*, document: str, document_id: int):
    return Dispatch.objects.filter(document=document, document_id=document_id).select_related("sent_by")


# --- filing receipts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingRow:
    department: str
    label: str
    receipt: FilingReceipt | None


def filing_desks() -> dict[str, FilingDesk]:
    return {d.department: d for d in FilingDesk.objects.select_related("user")}


def filing_rows(contract: Contract) -> list[FilingRow]:
    """The three departments and who confirmed receipt of the original when (None: not yet)."""
    receipts = {r.department: r for r in FilingReceipt.objects.filter(contract=contract).select_related("confirmed_by")}
    return [FilingRow(value, str(label), receipts.get(value)) for value, label in FilingDepartment.choices]


def _confirms_for(user, department: str) -> Q:
    """`permissions.may_confirm_filing(user, department, desk)` in SQL, the desk read in the same statement (the
    navbar badge's one statement counts the originals too): the user the admin named, else the desk's role, else the
    department's default role (none for administration)."""
    desks = FilingDesk.objects.filter(department=department)
    named = desks.filter(user__isnull=False)
    by_role = desks.filter(user__isnull=True).exclude(role="")
    q = Q(Exists(named.filter(user_id=user.pk))) | Q(Exists(by_role.filter(role=user.role)))
    if permissions.confirms_by_default(user, department=department):
        q |= ~Q(Exists(named)) & ~Q(Exists(by_role))
    return q


def _awaiting_receipt(user, department: str) -> Q:
    received = FilingReceipt.objects.filter(contract=OuterRef("pk"), department=department)
    return _confirms_for(user, department) & ~Q(Exists(received))


def originals_to_confirm(user) -> QuerySet[Contract]:
    """Signed contracts whose original a department this user confirms for has not confirmed yet, most urgent
    (filing deadline) first: the filing desk's page, the inbox and its navbar badge read this one list. A desk may
    not otherwise see the deal (行政管理部's clerk): these rows are not `visible_to` the user. Each row carries
    `awaiting_<department>` for the departments this user still has to confirm."""
    if not user.is_authenticated or not user.is_active:
        return Contract.objects.none()
    flags = {
        f"awaiting_{d}": ExpressionWrapper(_awaiting_receipt(user, d), output_field=BooleanField())
        for d in FilingDepartment.values
    }
    any_awaiting = Q()
    for name in flags:
        any_awaiting |= Q(**{name: True})
    # Implied by `any_awaiting`, but free of the row: PostgreSQL tests it once ("One-Time Filter") and reads no
    # contract at all for a user who confirms for no department (else it filtered every signed contract away).
    any_desk = Q()
    for d in FilingDepartment.values:
        any_desk |= _confirms_for(user, d)
    return (
        Contract.objects.filter(status=ContractStatus.SIGNED)
        .filter(any_desk)
        .annotate(**flags)
        .filter(any_awaiting)
        .order_by("filing_due_on", "pk")
    )


def departments_awaiting(contract: Contract) -> list[str]:
    """The departments a row of `originals_to_confirm` still waits for from its user, in the departments' order."""
    return [d for d in FilingDepartment.values if getattr(contract, f"awaiting_{d}", False)]


def purchase_order_for(contract: Contract) -> PurchaseOrder | None:
    return PurchaseOrder.objects.filter(contract=contract).select_related("scan", "recorded_by").first()
