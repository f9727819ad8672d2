"""Quotes: create, change, submit for the manager's approval, approve or reject, record the outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.money import ZERO, round_money
from customers.models import Customer
from sales import approvers, rules, selectors, workflows
from sales.models import (
    Product,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    SalesMethod,
    SettlementMethod,
)
from sales.permissions import may_work_on_quote

from ._common import HUNDRED, _check_customer, _dec, _lock_quote, _next_number
from .access import owner_for
from .methods import PROJECT, checked_method, resolve_methods
from .pricing import LineInput, PricedLine, price_lines, quote_engineering_rates, write_priced_lines

PROJECT_PRODUCT_CODE = "PROJECT"


def _write_quote_lines(quote: Quote, lines: list[LineInput]) -> None:
    priced = price_lines(lines=lines, on=timezone.localdate(), unit_id=quote.unit_id)
    write_priced_lines(quote, priced, line_model=QuoteLine, parent="quote")


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
    settlement_method: SettlementMethod | None = None,
    sales_method: SalesMethod | None = None,
    project_product: Product | None = None,
    customer_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
) -> Quote:
    """A product quote prices its lines from the price list. An engineering turnkey quote has an internal sheet
    (cost-plus on C, internal) and one external line: the project at the customer's price the unit sets
    (`customer_price`, default the internal price) less `discount_percent`; that line is what the customer is quoted
    and what the price-floor and discount-authority rules judge, against the internal price as its standard."""
    _check_customer(actor, customer)
    owner = owner_for(actor, customer)
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson has no sales unit."), field="owner", code="no_unit")
    today = timezone.localdate()
    settlement, sales = resolve_methods(
        settlement_method=settlement_method,
        sales_method=sales_method,
        prefer_sales=PROJECT if kind == QuoteKind.ENGINEERING else "",
    )
    quote = Quote(
        number=_next_number(prefix=f"Q{today:%Y}-", model=Quote),
        kind=kind,
        customer=customer,
        owner=owner,
        unit_id=owner.unit_id,
        title=title,
        valid_until=valid_until
        or rules.quote_valid_until(written_on=today, valid_days=selectors.policy_in_force(on=today).quote_valid_days),
        note=note,
        settlement_method=settlement,
        sales_method=sales,
    )
    if kind == QuoteKind.ENGINEERING:
        _set_engineering(quote, actor=actor, equipment_cost=equipment_cost, rates=rates)
        quote.save()
        _write_project_line(
            quote, project_product=project_product, customer_price=customer_price, discount_percent=discount_percent
        )
        quote.save(update_fields=["amount", "cost_total"])
    elif kind == QuoteKind.PRODUCT:
        quote.save()
        _write_quote_lines(quote, lines or [])
        quote.save(update_fields=["amount", "cost_total"])
    else:
        raise ApplicationError(_("Unknown quote kind."), field="kind")
    return quote


def _set_engineering(quote: Quote, *, actor: User, equipment_cost, rates: dict | None) -> None:
    """The internal sheet: C, the rates (the policy's; only admins change them) and the internal price."""
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
    quote.internal_price = rules.engineering_internal_price(cost=quote.equipment_cost, rates=values)


def project_product_default() -> Product:
    """The product that stands for an engineering project when none is chosen (created on first use)."""
    product, _created = Product.objects.get_or_create(
        code=PROJECT_PRODUCT_CODE,
        defaults={"name": "工程成套項目", "name_en": "Engineering turnkey project", "category": "engineering"},
    )
    return product


def _write_project_line(
    quote: Quote, *, project_product: Product | None, customer_price=None, discount_percent=None
) -> None:
    """The engineering quote's one external line; what is not given keeps the line's present value (a new quote:
    the default project product at the internal price, no discount)."""
    existing = quote.lines.select_related("product").first()
    product = project_product or (existing.product if existing else project_product_default())
    if customer_price is not None:
        list_price = _dec(customer_price, field="customer_price")
    else:
        list_price = existing.list_price if existing else quote.internal_price
    if list_price < 0:
        raise ApplicationError(_("The price cannot be negative."), field="customer_price", code="negative")
    if discount_percent is not None:
        disc = _dec(discount_percent, field="discount_percent")
    else:
        disc = existing.discount_percent if existing else ZERO
    if disc < 0 or disc > HUNDRED:
        raise ApplicationError(
            _("The discount must be between 0 and 100 %."), field="discount_percent", code="discount"
        )
    list_price = round_money(list_price)
    priced = PricedLine(
        product=product,
        quantity=Decimal("1"),
        list_price=list_price,
        discount_percent=disc,
        unit_price=round_money(list_price * (HUNDRED - disc) / HUNDRED),
        standard_price=quote.internal_price,
        unit_cost=quote.equipment_cost,
    )
    write_priced_lines(quote, [priced], line_model=QuoteLine, parent="quote")


@transaction.atomic
def quote_update(
    *,
    actor: User,
    quote: Quote,
    lines: list[LineInput] | None = None,
    equipment_cost: Decimal | None = None,
    rates: dict | None = None,
    project_product: Product | None = None,
    customer_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
    **fields,
) -> Quote:
    quote = _lock_quote(quote)
    workflows.QUOTE.check(actor, quote, "change")
    for key in ("title", "valid_until", "note"):
        if key in fields:
            setattr(quote, key, fields.pop(key))
    for key in ("settlement_method", "sales_method"):
        if fields.get(key) is not None:
            setattr(quote, key, checked_method(fields.pop(key), field=key))
        fields.pop(key, None)
    if fields:
        raise ApplicationError(_("This field cannot be changed."), field=next(iter(fields)))
    if quote.kind == QuoteKind.ENGINEERING:
        if equipment_cost is not None or rates:
            _set_engineering(
                quote,
                actor=actor,
                equipment_cost=equipment_cost if equipment_cost is not None else quote.equipment_cost,
                rates=rates or quote_engineering_rates(quote),
            )
        _write_project_line(
            quote, project_product=project_product, customer_price=customer_price, discount_percent=discount_percent
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
    workflows.QUOTE.check(actor, quote, "submit")
    hits = [h for h in selectors.quote_rule_hits(quote=quote) if h.approver]
    quote.approval_reasons = [h.as_dict() for h in hits]
    quote.status = QuoteStatus.IN_REVIEW if hits else QuoteStatus.APPROVED
    quote.rejection_reason = ""
    quote.save(update_fields=["status", "approval_reasons", "rejection_reason", "updated_at"])
    if hits:
        steps = approvers.quote_waiting_for(quote)
        _publish(quote, "submitted", actor, recipients=approvers.recipients(steps))
    else:  # within the salesperson's authority: recorded for the timeline, nobody needs to act
        _publish(quote, "approved_within_authority", actor, recipients=[])
    return quote


def _publish(quote: Quote, action: str, actor: User, *, recipients, note: str = "") -> None:
    """The handoff event: recorded with the state change, turned into notifications by the subscribers."""
    events.publish(
        document=workflows.QUOTE.document,
        document_id=quote.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "number": quote.number,
            "actor": actor.get_full_name(),
            "customer": quote.customer.name,
            "url": reverse("sales:quote_detail", args=[quote.pk]),
        },
    )


def _lock_for_review(actor: User, quote: Quote, action: str) -> Quote:
    """Lock a quote awaiting approval that `actor` (its unit's manager, not its owner) may decide on."""
    quote = _lock_quote(quote)
    workflows.QUOTE.check(actor, quote, action)
    return quote


@transaction.atomic
def quote_approve(*, actor: User, quote: Quote) -> Quote:
    quote = _lock_for_review(actor, quote, "approve")
    quote.status = QuoteStatus.APPROVED
    quote.approved_by = actor
    quote.approved_at = timezone.now()
    quote.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _publish(quote, "approved", actor, recipients=[quote.owner_id])
    return quote


@transaction.atomic
def quote_reject(*, actor: User, quote: Quote, reason: str) -> Quote:
    """The manager sends the quote back to draft with a reason; the salesperson changes and resubmits it."""
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason for the rejection."), field="reason", code="required")
    quote = _lock_for_review(actor, quote, "reject")
    quote.status = QuoteStatus.DRAFT
    quote.rejection_reason = reason.strip()
    quote.save(update_fields=["status", "rejection_reason", "updated_at"])
    _publish(quote, "rejected", actor, recipients=[quote.owner_id], note=quote.rejection_reason)
    return quote


@transaction.atomic
def quote_set_outcome(*, actor: User, quote: Quote, status: str) -> Quote:
    """Mark a quote sent (only once approved), then accepted or declined by the customer."""
    quote = _lock_quote(quote)
    if status in (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        workflows.QUOTE.check(actor, quote, status)
    elif not may_work_on_quote(actor, quote):
        raise PermissionDenied(_("Only the salesperson or their manager may do this."))
    else:
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
    _publish(quote, status, actor, recipients=[])  # for the timeline: the customer's answer reaches nobody
    return quote
