"""Every write of the sales app. Keyword-only, typed, atomic; transitions lock the contract row first.

Role failures raise django's PermissionDenied (403 in the API); wrong states and broken rules raise
ApplicationError (400 naming the field). Nothing is half-saved: each function is one transaction.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError
from core.money import ZERO, round_money
from customers.models import Customer

from . import rules, selectors
from .models import (
    ApprovalDecision,
    ApproverRole,
    Contract,
    ContractApproval,
    ContractBasis,
    ContractEvent,
    ContractLine,
    ContractStatus,
    DiscountAuthority,
    Invoice,
    Payment,
    PaymentKind,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    SalesLevel,
    SalesPolicy,
    Shipment,
    ShipmentLine,
)

HUNDRED = Decimal("100")
EDITABLE = (ContractStatus.DRAFT, ContractStatus.REJECTED)


# --- helpers -------------------------------------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only admins may do this."))


def _dec(value, *, field: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(_("Enter a number."), field=field, code="invalid") from None
    if not result.is_finite():
        raise ApplicationError(_("Enter a number."), field=field, code="invalid")
    return result


def _next_number(*, prefix: str, model) -> str:
    """Sequential numbers per prefix (e.g. C2026-00001); an advisory lock serialises concurrent creators."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"{model._meta.label}:{prefix}".encode())])
    last = model.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = 1
    if last:
        try:
            seq = int(last[len(prefix) :]) + 1
        except ValueError:
            seq = model.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{seq:05d}"


def _event(contract: Contract, *, actor: User | None, action: str, from_status: str, note: str = "", data=None):
    ContractEvent.objects.create(
        contract=contract,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=contract.status,
        note=note,
        data=data or {},
    )


def _lock_contract(contract: Contract | int) -> Contract:
    pk = contract if isinstance(contract, int) else contract.pk
    return Contract.objects.select_for_update().select_related("customer", "owner", "unit").get(pk=pk)


def is_unit_manager(actor: User, unit_id: int) -> bool:
    return actor.is_manager and unit_id in actor.team_unit_ids


def may_work_on(actor: User, *, owner_id: int, unit_id: int) -> bool:
    """The owner, or a manager of the deal's unit."""
    return actor.pk == owner_id or is_unit_manager(actor, unit_id)


# --- products, price lists, authority, policy ----------------------------------------------------------------------


@transaction.atomic
def product_create(
    *, actor: User, code: str, name: str, name_en: str = "", unit_of_measure: str = "pcs", category: str = ""
) -> Product:
    _require_admin(actor)
    if Product.objects.filter(code__iexact=code).exists():
        raise ApplicationError(_("A product with this code exists."), field="code", code="duplicate")
    return Product.objects.create(
        code=code, name=name, name_en=name_en, unit_of_measure=unit_of_measure, category=category
    )


@transaction.atomic
def product_update(*, actor: User, product: Product, **fields) -> Product:
    _require_admin(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    allowed = {"name", "name_en", "unit_of_measure", "category", "is_active"}
    for key, value in fields.items():
        if key not in allowed:
            raise ApplicationError(_("This field cannot be changed."), field=key)
        setattr(product, key, value)
    product.save()
    return product


@dataclass(frozen=True)
class PriceInput:
    product: Product
    standard_price: Decimal
    cost: Decimal


@transaction.atomic
def price_list_create(
    *,
    actor: User,
    name: str,
    effective_from: dt.date,
    items: list[PriceInput],
    producing_unit: str = "",
    note: str = "",
) -> PriceList:
    """Issue a price list; it replaces earlier lists for its products from `effective_from`. Lines written
    before keep the standard price they copied."""
    _require_admin(actor)
    if not items:
        raise ApplicationError(_("A price list needs at least one product."), field="items", code="empty")
    seen = set()
    for item in items:
        if item.product.pk in seen:
            raise ApplicationError(
                _("%(code)s is listed twice.") % {"code": item.product.code}, field="items", code="duplicate"
            )
        seen.add(item.product.pk)
        if _dec(item.standard_price, field="items") < 0 or _dec(item.cost, field="items") < 0:
            raise ApplicationError(_("Prices and costs cannot be negative."), field="items", code="negative")
    price_list = PriceList.objects.create(
        name=name, producing_unit=producing_unit, effective_from=effective_from, issued_by=actor, note=note
    )
    PriceListItem.objects.bulk_create(
        PriceListItem(
            price_list=price_list,
            product=item.product,
            standard_price=round_money(item.standard_price),
            cost=round_money(item.cost),
        )
        for item in items
    )
    return price_list


@transaction.atomic
def discount_authority_set(
    *,
    actor: User,
    max_discount_percent: Decimal,
    effective_from: dt.date,
    user: User | None = None,
    level: SalesLevel | None = None,
    note: str = "",
) -> DiscountAuthority:
    """Append a discount authority row for a person or a level (history is kept; nothing is overwritten)."""
    _require_admin(actor)
    if (user is None) == (level is None):
        raise ApplicationError(_("Choose either a salesperson or a level."), field="user", code="target")
    pct = _dec(max_discount_percent, field="max_discount_percent")
    if pct < 0 or pct > HUNDRED:
        raise ApplicationError(
            _("The maximum discount must be between 0 and 100 %."), field="max_discount_percent", code="range"
        )
    return DiscountAuthority.objects.create(
        user=user, level=level, max_discount_percent=pct, effective_from=effective_from, set_by=actor, note=note
    )


@transaction.atomic
def sales_level_assign(*, actor: User, level: SalesLevel, user: User) -> None:
    """A person belongs to one level at a time."""
    _require_admin(actor)
    for other in user.sales_levels.exclude(pk=level.pk):
        other.members.remove(user)
    level.members.add(user)


POLICY_FIELDS = (
    "margin_review_percent",
    "prepayment_threshold",
    "filing_days",
    "default_discount_percent",
    "design_rate",
    "commissioning_rate",
    "contingency_rate",
    "management_rate",
    "profit_tax_rate",
)


@transaction.atomic
def sales_policy_set(*, actor: User, effective_from: dt.date, **values) -> SalesPolicy:
    """Append a policy row: unspecified values are carried over from the policy in force on that day."""
    _require_admin(actor)
    base = selectors.policy_in_force(on=effective_from)
    row = SalesPolicy(effective_from=effective_from, set_by=actor)
    for name in POLICY_FIELDS:
        value = values.pop(name, None)
        if value is None:
            value = getattr(base, name)
        if name != "filing_days":
            value = _dec(value, field=name)
            if value < 0:
                raise ApplicationError(_("Cannot be negative."), field=name, code="negative")
        setattr(row, name, value)
    if values:
        raise ApplicationError(_("Unknown setting."), field=next(iter(values)), code="unknown")
    row.save()
    return row


# --- lines -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: Decimal
    discount_percent: Decimal = Decimal("0")
    list_price: Decimal | None = None  # defaults to the standard price in force


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    unit_price: Decimal
    standard_price: Decimal
    unit_cost: Decimal


def price_lines(*, lines: list[LineInput], on: dt.date) -> list[PricedLine]:
    """Copy the standard price and cost in force, apply the discount, validate every line."""
    if not lines:
        raise ApplicationError(_("Add at least one line."), field="lines", code="empty")
    priced = []
    for n, line in enumerate(lines, start=1):
        qty = _dec(line.quantity, field="lines")
        disc = _dec(line.discount_percent or 0, field="lines")
        if qty <= 0:
            raise ApplicationError(
                _("Line %(n)s: the quantity must be positive.") % {"n": n}, field="lines", code="quantity"
            )
        if disc < 0 or disc > HUNDRED:
            raise ApplicationError(
                _("Line %(n)s: the discount must be between 0 and 100 %%.") % {"n": n}, field="lines", code="discount"
            )
        if not line.product.is_active:
            raise ApplicationError(
                _("Line %(n)s: %(code)s is no longer sold.") % {"n": n, "code": line.product.code},
                field="lines",
                code="inactive",
            )
        item = selectors.price_in_force(product=line.product, on=on)
        if item is None:
            raise ApplicationError(
                _("Line %(n)s: %(code)s has no standard price in force.") % {"n": n, "code": line.product.code},
                field="lines",
                code="no_price",
            )
        list_price = item.standard_price if line.list_price in (None, "") else _dec(line.list_price, field="lines")
        if list_price < 0:
            raise ApplicationError(
                _("Line %(n)s: the price cannot be negative.") % {"n": n}, field="lines", code="negative"
            )
        priced.append(
            PricedLine(
                product=line.product,
                quantity=qty,
                list_price=round_money(list_price),
                discount_percent=disc,
                unit_price=round_money(list_price * (HUNDRED - disc) / HUNDRED),
                standard_price=item.standard_price,
                unit_cost=item.cost,
            )
        )
    return priced


def _totals(priced: list[PricedLine]) -> tuple[Decimal, Decimal]:
    amount = round_money(sum((p.quantity * p.unit_price for p in priced), ZERO))
    cost = round_money(sum((p.quantity * p.unit_cost for p in priced), ZERO))
    return amount, cost


# --- quotes ----------------------------------------------------------------------------------------------------------


def _check_customer(actor: User, customer: Customer) -> None:
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ApplicationError(_("Choose one of your customers."), field="customer", code="not_visible")


def owner_for(actor: User, customer: Customer) -> User:
    if actor.is_salesperson:
        return actor
    if actor.is_manager and customer.owner_id and customer.unit_id in actor.team_unit_ids:
        return customer.owner
    if actor.is_manager:
        return actor
    raise PermissionDenied(_("Only salespeople and their managers write quotes and contracts."))


def engineering_components(*, cost: Decimal, rates: dict[str, Decimal]) -> list[tuple[str, Decimal, Decimal]]:
    """(name, rate %, amount) of each cost-plus component of an engineering turnkey quote."""
    return [(name, rate, round_money(cost * rate / HUNDRED)) for name, rate in rates.items()]


def quote_engineering_rates(quote_or_policy) -> dict[str, Decimal]:
    return {name: getattr(quote_or_policy, name) for name in ENGINEERING_RATES}


ENGINEERING_RATES = ("design_rate", "commissioning_rate", "contingency_rate", "management_rate", "profit_tax_rate")


def _write_quote_lines(quote: Quote, lines: list[LineInput]) -> None:
    priced = price_lines(lines=lines, on=timezone.localdate())
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=n,
            product=p.product,
            quantity=p.quantity,
            list_price=p.list_price,
            discount_percent=p.discount_percent,
            unit_price=p.unit_price,
            standard_price=p.standard_price,
            unit_cost=p.unit_cost,
        )
        for n, p in enumerate(priced)
    )
    quote.amount, quote.cost_total = _totals(priced)


@transaction.atomic
def quote_create(
    *,
    actor: User,
    customer: Customer,
    kind: str = QuoteKind.PRODUCT,
    lines: list[LineInput] | None = None,
    equipment_cost: Decimal | None = None,
    rates: dict[str, Decimal] | None = None,
    title: str = "",
    valid_until: dt.date | None = None,
    note: str = "",
) -> Quote:
    _check_customer(actor, customer)
    owner = owner_for(actor, customer)
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson has no sales unit."), field="owner", code="no_unit")
    today = timezone.localdate()
    quote = Quote(
        number=_next_number(prefix=f"Q{today:%Y}-", model=Quote),
        kind=kind,
        customer=customer,
        owner=owner,
        unit_id=owner.unit_id,
        title=title,
        valid_until=valid_until or today + dt.timedelta(days=30),
        note=note,
    )
    if kind == QuoteKind.ENGINEERING:
        _set_engineering(quote, actor=actor, equipment_cost=equipment_cost, rates=rates)
        quote.save()
    elif kind == QuoteKind.PRODUCT:
        quote.save()
        _write_quote_lines(quote, lines or [])
        quote.save(update_fields=["amount", "cost_total"])
    else:
        raise ApplicationError(_("Unknown quote kind."), field="kind")
    return quote


def _set_engineering(quote: Quote, *, actor: User, equipment_cost, rates: dict | None) -> None:
    cost = _dec(equipment_cost if equipment_cost is not None else 0, field="equipment_cost")
    if cost <= 0:
        raise ApplicationError(_("Enter the equipment and material cost."), field="equipment_cost", code="required")
    policy = selectors.policy_in_force()
    values = quote_engineering_rates(policy)
    if rates:
        changed = {k: _dec(v, field=k) for k, v in rates.items() if k in values and _dec(v, field=k) != values[k]}
        if changed and not actor.is_admin_role:
            raise PermissionDenied(_("Only admins may change the engineering rates."))
        values.update(changed)
    for name, value in values.items():
        setattr(quote, name, value)
    quote.equipment_cost = round_money(cost)
    quote.amount = round_money(cost + sum((a for _, _, a in engineering_components(cost=cost, rates=values)), ZERO))
    quote.cost_total = quote.equipment_cost


def _lock_quote(quote: Quote | int) -> Quote:
    pk = quote if isinstance(quote, int) else quote.pk
    return Quote.objects.select_for_update().get(pk=pk)


@transaction.atomic
def quote_update(
    *,
    actor: User,
    quote: Quote,
    lines: list[LineInput] | None = None,
    equipment_cost: Decimal | None = None,
    rates: dict | None = None,
    **fields,
) -> Quote:
    quote = _lock_quote(quote)
    if not may_work_on(actor, owner_id=quote.owner_id, unit_id=quote.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may change this quote."))
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.IN_REVIEW, QuoteStatus.APPROVED):
        raise ApplicationError(_("A quote sent to the customer cannot be changed."), field="status", code="state")
    for key in ("title", "valid_until", "note"):
        if key in fields:
            setattr(quote, key, fields.pop(key))
    if fields:
        raise ApplicationError(_("This field cannot be changed."), field=next(iter(fields)))
    if quote.kind == QuoteKind.ENGINEERING and (equipment_cost is not None or rates):
        _set_engineering(
            quote,
            actor=actor,
            equipment_cost=equipment_cost if equipment_cost is not None else quote.equipment_cost,
            rates=rates or quote_engineering_rates(quote),
        )
    elif lines is not None:
        _write_quote_lines(quote, lines)
    # Any change after an approval needs a new one.
    quote.status = QuoteStatus.DRAFT
    quote.approved_by = None
    quote.approved_at = None
    quote.approval_reasons = []
    quote.save()
    return quote


@transaction.atomic
def quote_submit(*, actor: User, quote: Quote) -> Quote:
    """Ask for the manager's approval if a price or discount rule fires; otherwise the quote is approved."""
    quote = _lock_quote(quote)
    if not may_work_on(actor, owner_id=quote.owner_id, unit_id=quote.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may submit this quote."))
    if quote.status != QuoteStatus.DRAFT:
        raise ApplicationError(_("Only a draft quote can be submitted."), field="status", code="state")
    hits = [h for h in selectors.quote_rule_hits(quote=quote) if h.approver]
    quote.approval_reasons = [h.as_dict() for h in hits]
    quote.status = QuoteStatus.IN_REVIEW if hits else QuoteStatus.APPROVED
    quote.rejection_reason = ""
    quote.save(update_fields=["status", "approval_reasons", "rejection_reason", "updated_at"])
    return quote


@transaction.atomic
def quote_approve(*, actor: User, quote: Quote) -> Quote:
    quote = _lock_quote(quote)
    if not is_unit_manager(actor, quote.unit_id) or actor.pk == quote.owner_id:
        raise PermissionDenied(_("Only the department manager may approve this quote."))
    if quote.status != QuoteStatus.IN_REVIEW:
        raise ApplicationError(_("This quote is not awaiting approval."), field="status", code="state")
    quote.status = QuoteStatus.APPROVED
    quote.approved_by = actor
    quote.approved_at = timezone.now()
    quote.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return quote


@transaction.atomic
def quote_reject(*, actor: User, quote: Quote, reason: str) -> Quote:
    """The manager sends the quote back to draft with a reason; the salesperson changes and resubmits it."""
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason for the rejection."), field="reason", code="required")
    quote = _lock_quote(quote)
    if not is_unit_manager(actor, quote.unit_id) or actor.pk == quote.owner_id:
        raise PermissionDenied(_("Only the department manager may approve this quote."))
    if quote.status != QuoteStatus.IN_REVIEW:
        raise ApplicationError(_("This quote is not awaiting approval."), field="status", code="state")
    quote.status = QuoteStatus.DRAFT
    quote.rejection_reason = reason.strip()
    quote.save(update_fields=["status", "rejection_reason", "updated_at"])
    return quote


@transaction.atomic
def quote_set_outcome(*, actor: User, quote: Quote, status: str) -> Quote:
    """Mark a quote sent (only once approved), then accepted or declined by the customer."""
    quote = _lock_quote(quote)
    if not may_work_on(actor, owner_id=quote.owner_id, unit_id=quote.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may do this."))
    allowed = {
        QuoteStatus.SENT: (QuoteStatus.APPROVED,),
        QuoteStatus.ACCEPTED: (QuoteStatus.SENT,),
        QuoteStatus.DECLINED: (QuoteStatus.SENT, QuoteStatus.APPROVED),
        QuoteStatus.IN_REVIEW: (),
    }
    if status not in allowed or quote.status not in allowed[status]:
        raise ApplicationError(
            _("A quote in status “%(status)s” cannot go to “%(new)s”.")
            % {
                "status": quote.get_status_display(),
                "new": QuoteStatus(status).label if status in QuoteStatus.values else status,
            },
            field="status",
            code="state",
        )
    quote.status = status
    quote.save(update_fields=["status", "updated_at"])
    return quote


# --- contracts -------------------------------------------------------------------------------------------------------


def _write_contract_lines(
    contract: Contract, lines: list[LineInput] | None, *, priced: list[PricedLine] | None = None
) -> None:
    priced = priced if priced is not None else price_lines(lines=lines or [], on=timezone.localdate())
    contract.lines.all().delete()
    ContractLine.objects.bulk_create(
        ContractLine(
            contract=contract,
            position=n,
            product=p.product,
            quantity=p.quantity,
            list_price=p.list_price,
            discount_percent=p.discount_percent,
            unit_price=p.unit_price,
            standard_price=p.standard_price,
            unit_cost=p.unit_cost,
        )
        for n, p in enumerate(priced)
    )
    contract.amount, contract.cost_total = _totals(priced)


def _check_money_parts(contract: Contract) -> None:
    for name in ("prepayment_amount", "retention_amount"):
        value = round_money(_dec(getattr(contract, name) or 0, field=name))
        if value < 0:
            raise ApplicationError(_("Cannot be negative."), field=name, code="negative")
        setattr(contract, name, value)
    if contract.prepayment_amount + contract.retention_amount > contract.amount:
        raise ApplicationError(
            _("Prepayment plus retention money cannot exceed the contract amount %(amount)s.")
            % {"amount": f"{contract.amount:,.2f}"},
            field="prepayment_amount",
            code="too_large",
        )
    if contract.retention_amount > 0 and not contract.retention_due_on:
        raise ApplicationError(
            _("Give the date the retention money is due."), field="retention_due_on", code="required"
        )
    if contract.basis not in ContractBasis.values:
        raise ApplicationError(_("Unknown basis."), field="basis")


CONTRACT_FIELDS = (
    "title",
    "basis",
    "payment_terms",
    "prepayment_amount",
    "retention_amount",
    "retention_due_on",
    "note",
)


@transaction.atomic
def contract_create(
    *,
    actor: User,
    customer: Customer,
    lines: list[LineInput] | None,
    quote: Quote | None = None,
    priced: list[PricedLine] | None = None,
    **fields,
) -> Contract:
    _check_customer(actor, customer)
    owner = owner_for(actor, customer)
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson has no sales unit."), field="owner", code="no_unit")
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ApplicationError(_("This field cannot be set."), field=unknown.pop())
    today = timezone.localdate()
    contract = Contract(
        number=_next_number(prefix=f"C{today:%Y}-", model=Contract),
        customer=customer,
        owner=owner,
        unit_id=owner.unit_id,
        quote=quote,
        **{k: v for k, v in fields.items() if v is not None},
    )
    contract.save()
    _write_contract_lines(contract, lines, priced=priced)
    _check_money_parts(contract)
    contract.save()
    _event(contract, actor=actor, action="created", from_status="", data={"amount": str(contract.amount)})
    return contract


@transaction.atomic
def contract_create_from_quote(*, actor: User, quote: Quote, product: Product | None = None, **fields) -> Contract:
    """A contract from an approved quote. Product quotes copy their lines (repriced at today's standard price);
    an engineering turnkey quote becomes one line of `product` (the product that stands for the project), priced
    at the quote's cost-plus total, which is the project's standard price, with the equipment cost as its cost."""
    quote = _lock_quote(quote)
    if not may_work_on(actor, owner_id=quote.owner_id, unit_id=quote.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may do this."))
    if quote.status not in (QuoteStatus.APPROVED, QuoteStatus.SENT, QuoteStatus.ACCEPTED):
        raise ApplicationError(_("Only an approved quote can become a contract."), field="status", code="state")
    if quote.kind == QuoteKind.ENGINEERING:
        if product is None:
            raise ApplicationError(
                _("Choose the product that stands for the project."), field="product", code="required"
            )
        priced = [
            PricedLine(
                product=product,
                quantity=Decimal("1"),
                list_price=quote.amount,
                discount_percent=Decimal("0"),
                unit_price=quote.amount,
                standard_price=quote.amount,
                unit_cost=quote.equipment_cost,
            )
        ]
        fields.setdefault("title", quote.title)
        contract = contract_create(
            actor=actor, customer=quote.customer, lines=None, priced=priced, quote=quote, **fields
        )
    else:
        lines = [
            LineInput(
                product=ln.product,
                quantity=ln.quantity,
                discount_percent=ln.discount_percent,
                list_price=ln.list_price,
            )
            for ln in quote.lines.select_related("product")
        ]
        contract = contract_create(actor=actor, customer=quote.customer, lines=lines, quote=quote, **fields)
    if quote.status != QuoteStatus.ACCEPTED:
        quote.status = QuoteStatus.ACCEPTED
        quote.save(update_fields=["status", "updated_at"])
    return contract


@transaction.atomic
def contract_update(*, actor: User, contract: Contract, lines: list[LineInput] | None = None, **fields) -> Contract:
    """Change a draft (or rejected) contract: its lines and terms. A rejected one goes back to draft."""
    contract = _lock_contract(contract)
    if not may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may change this contract."))
    if contract.status not in EDITABLE:
        raise ApplicationError(
            _("A contract in status “%(status)s” cannot be changed.") % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ApplicationError(_("This field cannot be changed."), field=unknown.pop())
    for key, value in fields.items():
        setattr(contract, key, value)
    if lines is not None:
        _write_contract_lines(contract, lines)
    _check_money_parts(contract)
    before = contract.status
    contract.status = ContractStatus.DRAFT
    contract.save()
    _event(contract, actor=actor, action="updated", from_status=before, data={"amount": str(contract.amount)})
    return contract


@transaction.atomic
def contract_submit(*, actor: User, contract: Contract) -> Contract:
    """Send for review (契約評審). Every rule runs; blocking conditions refuse the submission with all their
    reasons; approvals needed open a new review round; with none the contract is approved at once."""
    contract = _lock_contract(contract)
    if not may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may submit this contract."))
    if contract.status not in EDITABLE:
        raise ApplicationError(
            _("Only a draft or rejected contract can be submitted (it is “%(status)s”).")
            % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    if not contract.lines.exists():
        raise ApplicationError(_("Add at least one line."), field="lines", code="empty")
    hits = selectors.contract_rule_hits(contract=contract)
    blocked = rules.blocking(hits)
    if blocked:
        raise ApplicationError(
            "; ".join(h.message for h in blocked),
            field=_blocking_field(blocked[0]),
            code=blocked[0].code,
            extra={"rules": [h.as_dict() for h in blocked]},
        )
    before = contract.status
    contract.review_round += 1
    contract.submitted_at = timezone.now()
    contract.rejection_reason = ""
    contract.po_consent_by = None
    contract.po_consent_at = None
    approvers = rules.required_approvers(hits)
    for role in approvers:
        ContractApproval.objects.create(
            contract=contract,
            round=contract.review_round,
            approver_role=role,
            reasons=[h.as_dict() for h in hits if h.approver == role],
        )
    if approvers:
        contract.status = ContractStatus.IN_REVIEW
    else:
        contract.status = ContractStatus.APPROVED
        contract.approved_at = timezone.now()
    contract.save()
    _event(
        contract,
        actor=actor,
        action="submitted",
        from_status=before,
        note="" if approvers else _("No rule needs an approval."),
        data={"round": contract.review_round, "rules": [h.code for h in hits], "approvers": approvers},
    )
    return contract


def _blocking_field(hit: rules.RuleHit) -> str:
    return {
        "prepayment_required": "prepayment_amount",
        "purchase_order_untrusted": "basis",
    }.get(hit.code, "non_field_errors")


def may_decide(actor: User, contract: Contract, role: str) -> bool:
    """Never on one's own contract. The unit's manager decides the manager step; when the contract belongs to a
    manager (whom nobody in the unit outranks), the GM office decides it instead."""
    if actor.pk == contract.owner_id:
        return False
    if role == ApproverRole.MANAGER:
        if contract.owner.is_manager:
            return actor.role == "gm_office"
        return is_unit_manager(actor, contract.unit_id)
    if role == ApproverRole.GM_OFFICE:
        return actor.role == "gm_office"
    return False


def _pending_for(actor: User, contract: Contract) -> tuple[list[ContractApproval], list[ContractApproval]]:
    approvals = list(
        ContractApproval.objects.select_for_update()
        .filter(contract=contract, round=contract.review_round)
        .order_by("approver_role")
    )
    return [a for a in approvals if may_decide(actor, contract, a.approver_role)], approvals


@transaction.atomic
def contract_approve(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """Record the actor's approval; once every required approver has approved, the contract is approved."""
    contract = _lock_contract(contract)
    if actor.pk == contract.owner_id:
        raise PermissionDenied(_("You cannot approve your own contract."))
    if contract.status != ContractStatus.IN_REVIEW:
        raise ApplicationError(
            _("This contract is not in review (it is “%(status)s”).") % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    mine, approvals = _pending_for(actor, contract)
    if not mine:
        raise PermissionDenied(_("This contract needs no approval from you."))
    pending = [a for a in mine if a.decision == ApprovalDecision.PENDING]
    if not pending:
        raise ApplicationError(_("You have already decided on this contract."), field="status", code="decided")
    now = timezone.now()
    for approval in pending:
        approval.decision = ApprovalDecision.APPROVED
        approval.decided_by = actor
        approval.decided_at = now
        approval.comment = comment
        approval.save(update_fields=["decision", "decided_by", "decided_at", "comment", "updated_at"])
        if approval.approver_role == ApproverRole.MANAGER and contract.basis == ContractBasis.PURCHASE_ORDER:
            contract.po_consent_by = actor
            contract.po_consent_at = now
    before = contract.status
    if all(a.decision == ApprovalDecision.APPROVED for a in approvals):
        contract.status = ContractStatus.APPROVED
        contract.approved_at = now
    contract.save()
    _event(
        contract,
        actor=actor,
        action="approved",
        from_status=before,
        note=comment,
        data={"roles": [a.approver_role for a in pending], "round": contract.review_round},
    )
    return contract


@transaction.atomic
def contract_reject(*, actor: User, contract: Contract, reason: str) -> Contract:
    """A required approver rejects, with a reason; the salesperson may change and resubmit it."""
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason for the rejection."), field="reason", code="required")
    contract = _lock_contract(contract)
    if actor.pk == contract.owner_id:
        raise PermissionDenied(_("You cannot decide on your own contract."))
    if contract.status != ContractStatus.IN_REVIEW:
        raise ApplicationError(
            _("This contract is not in review (it is “%(status)s”).") % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    mine, approvals = _pending_for(actor, contract)
    if not mine:
        raise PermissionDenied(_("This contract needs no decision from you."))
    now = timezone.now()
    for approval in mine:
        if approval.decision == ApprovalDecision.PENDING:
            approval.decision = ApprovalDecision.REJECTED
            approval.decided_by = actor
            approval.decided_at = now
            approval.comment = reason
            approval.save(update_fields=["decision", "decided_by", "decided_at", "comment", "updated_at"])
    for approval in approvals:
        if approval.decision == ApprovalDecision.PENDING:
            approval.decision = ApprovalDecision.WITHDRAWN
            approval.decided_at = now
            approval.save(update_fields=["decision", "decided_at", "updated_at"])
    before = contract.status
    contract.status = ContractStatus.REJECTED
    contract.rejection_reason = reason.strip()
    contract.save()
    _event(contract, actor=actor, action="rejected", from_status=before, note=reason.strip())
    return contract


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract, signed_on: dt.date | None = None) -> Contract:
    """Record the signature of an approved contract; the filing deadline starts (3 days by default)."""
    contract = _lock_contract(contract)
    if not may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may sign this contract."))
    if contract.status != ContractStatus.APPROVED:
        raise ApplicationError(
            _("Only an approved contract can be signed (it is “%(status)s”).")
            % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    today = timezone.localdate()
    signed_on = signed_on or today
    if signed_on > today:
        raise ApplicationError(_("The signing date cannot be in the future."), field="signed_on", code="future")
    blocked = rules.blocking(selectors.contract_rule_hits(contract=contract))
    if blocked:
        raise ApplicationError(
            "; ".join(h.message for h in blocked), field=_blocking_field(blocked[0]), code=blocked[0].code
        )
    before = contract.status
    contract.status = ContractStatus.SIGNED
    contract.signed_on = signed_on
    contract.filing_due_on = signed_on + dt.timedelta(days=selectors.policy_in_force(on=signed_on).filing_days)
    contract.save()
    _event(contract, actor=actor, action="signed", from_status=before, data={"signed_on": signed_on.isoformat()})
    return contract


@transaction.atomic
def contract_file(*, actor: User, contract: Contract, filed_on: dt.date | None = None) -> Contract:
    """契約備案: the signed contract is filed with finance, the GM office and admin."""
    contract = _lock_contract(contract)
    if not (may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id) or actor.is_company_wide):
        raise PermissionDenied(_("You may not file this contract."))
    if contract.status != ContractStatus.SIGNED:
        raise ApplicationError(
            _("Only a signed contract can be filed (it is “%(status)s”).") % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    today = timezone.localdate()
    filed_on = filed_on or today
    if filed_on > today or (contract.signed_on and filed_on < contract.signed_on):
        raise ApplicationError(_("The filing date must be between signing and today."), field="filed_on")
    before = contract.status
    contract.status = ContractStatus.FILED
    contract.filed_on = filed_on
    contract.save()
    late = bool(contract.filing_due_on and filed_on > contract.filing_due_on)
    _event(
        contract,
        actor=actor,
        action="filed",
        from_status=before,
        note=_("Filed late.") if late else "",
        data={"filed_on": filed_on.isoformat(), "late": late},
    )
    return contract


@transaction.atomic
def contract_cancel(*, actor: User, contract: Contract, reason: str) -> Contract:
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason."), field="reason", code="required")
    contract = _lock_contract(contract)
    if not may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may cancel this contract."))
    if contract.status not in (*EDITABLE, ContractStatus.IN_REVIEW, ContractStatus.APPROVED):
        raise ApplicationError(_("A signed contract cannot be cancelled."), field="status", code="state")
    ContractApproval.objects.filter(
        contract=contract, round=contract.review_round, decision=ApprovalDecision.PENDING
    ).update(decision=ApprovalDecision.WITHDRAWN, decided_at=timezone.now())
    before = contract.status
    contract.status = ContractStatus.CANCELLED
    contract.save()
    _event(contract, actor=actor, action="cancelled", from_status=before, note=reason.strip())
    return contract


# --- shipments, invoices, payments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipInput:
    contract_line: ContractLine
    quantity: Decimal


SHIPPABLE = (ContractStatus.SIGNED, ContractStatus.FILED)


@transaction.atomic
def shipment_create(
    *, actor: User, contract: Contract, shipped_on: dt.date, lines: list[ShipInput] | None = None, note: str = ""
) -> Shipment:
    """Record a (partial) shipment; without lines, everything not yet shipped goes. Never ships more than sold."""
    contract = _lock_contract(contract)
    if not (may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id) or actor.is_admin_role):
        raise PermissionDenied(_("Only the salesperson or their manager may record shipments."))
    if contract.status not in SHIPPABLE:
        raise ApplicationError(_("Only a signed contract can be shipped."), field="status", code="state")
    if shipped_on > timezone.localdate():
        raise ApplicationError(_("The shipment date cannot be in the future."), field="shipped_on", code="future")
    if contract.signed_on and shipped_on < contract.signed_on:
        raise ApplicationError(_("The shipment date is before the signing date."), field="shipped_on")
    contract_lines = {ln.pk: ln for ln in contract.lines.all()}
    shipped = {pk: ZERO for pk in contract_lines}
    for line_id, qty in ShipmentLine.objects.filter(shipment__contract=contract).values_list(
        "contract_line_id", "quantity"
    ):
        shipped[line_id] += qty
    if lines is None:
        lines = [
            ShipInput(contract_line=ln, quantity=ln.quantity - shipped[pk])
            for pk, ln in contract_lines.items()
            if ln.quantity > shipped[pk]
        ]
    wanted = [(contract_lines.get(s.contract_line.pk), _dec(s.quantity, field="lines")) for s in lines]
    wanted = [(ln, q) for ln, q in wanted if q != 0 or ln is None]
    if not wanted:
        raise ApplicationError(_("Nothing left to ship."), field="lines", code="empty")
    for ln, qty in wanted:
        if ln is None:
            raise ApplicationError(_("A line does not belong to this contract."), field="lines")
        if qty < 0:
            raise ApplicationError(_("Quantities must be positive."), field="lines")
        if shipped[ln.pk] + qty > ln.quantity:
            raise ApplicationError(
                _("%(product)s: only %(left)s left to ship.")
                % {"product": ln.product.code, "left": f"{ln.quantity - shipped[ln.pk]:f}"},
                field="lines",
                code="over_shipped",
            )
        shipped[ln.pk] += qty
    shipment = Shipment.objects.create(
        contract=contract,
        shipped_on=shipped_on,
        note=note,
        recorded_by=actor,
        amount=round_money(sum((ln.unit_price * q for ln, q in wanted), ZERO)),
    )
    ShipmentLine.objects.bulk_create(ShipmentLine(shipment=shipment, contract_line=ln, quantity=q) for ln, q in wanted)
    _event(
        contract,
        actor=actor,
        action="shipped",
        from_status=contract.status,
        data={"shipped_on": shipped_on.isoformat(), "amount": str(shipment.amount)},
    )
    return shipment


def _require_finance(actor: User) -> None:
    if not (actor.role == "finance" or actor.is_admin_role):
        raise PermissionDenied(_("Only finance records payments and invoices."))


@transaction.atomic
def invoice_create(*, actor: User, contract: Contract, number: str, issued_on: dt.date, amount: Decimal) -> Invoice:
    _require_finance(actor)
    contract = _lock_contract(contract)
    if contract.status not in SHIPPABLE:
        raise ApplicationError(_("Only a signed contract can be invoiced."), field="status", code="state")
    amount = round_money(_dec(amount, field="amount"))
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    if Invoice.objects.filter(number=number).exists():
        raise ApplicationError(_("This invoice number is taken."), field="number", code="duplicate")
    invoiced = sum(contract.invoices.values_list("amount", flat=True), ZERO)
    if invoiced + amount > contract.amount:
        raise ApplicationError(
            _("Invoices would exceed the contract amount (%(left)s left to invoice).")
            % {"left": f"{contract.amount - invoiced:,.2f}"},
            field="amount",
            code="too_large",
        )
    try:
        with transaction.atomic():  # a concurrent invoice may take the number between the check and the insert
            invoice = Invoice.objects.create(
                contract=contract, number=number, issued_on=issued_on, amount=amount, recorded_by=actor
            )
    except IntegrityError:
        raise ApplicationError(_("This invoice number is taken."), field="number", code="duplicate") from None
    _event(
        contract,
        actor=actor,
        action="invoiced",
        from_status=contract.status,
        data={"number": number, "amount": str(amount)},
    )
    return invoice


@transaction.atomic
def payment_record(
    *,
    actor: User,
    contract: Contract,
    paid_on: dt.date,
    amount: Decimal,
    kind: str = PaymentKind.PROGRESS,
    reference: str = "",
) -> Payment:
    """Apply a payment to a contract. Never more than the balance; retention money only up to the retention
    amount; other kinds only up to the amount less retention outstanding."""
    _require_finance(actor)
    contract = _lock_contract(contract)
    if contract.status not in (ContractStatus.APPROVED, *SHIPPABLE):
        raise ApplicationError(
            _("Payments are recorded on approved or signed contracts."), field="status", code="state"
        )
    if kind not in PaymentKind.values:
        raise ApplicationError(_("Unknown payment kind."), field="kind")
    if kind != PaymentKind.PREPAYMENT and contract.status == ContractStatus.APPROVED:
        raise ApplicationError(_("Before signing only the prepayment can be received."), field="kind", code="state")
    if paid_on > timezone.localdate():
        raise ApplicationError(_("The payment date cannot be in the future."), field="paid_on", code="future")
    amount = round_money(_dec(amount, field="amount"))
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    receivable = selectors.receivable_for(contract=contract)
    retention_left = max(ZERO, contract.retention_amount - receivable.retention_paid)
    if kind == PaymentKind.RETENTION:
        limit = min(retention_left, receivable.balance)
    else:
        limit = receivable.balance - min(retention_left, receivable.balance)
    if amount > limit:
        raise ApplicationError(
            _("The payment exceeds what is due: at most %(limit)s for this kind.") % {"limit": f"{limit:,.2f}"},
            field="amount",
            code="too_large",
        )
    payment = Payment.objects.create(
        contract=contract, paid_on=paid_on, amount=amount, kind=kind, recorded_by=actor, reference=reference
    )
    _event(
        contract,
        actor=actor,
        action="paid",
        from_status=contract.status,
        data={"kind": kind, "amount": str(amount), "paid_on": paid_on.isoformat()},
    )
    return payment
