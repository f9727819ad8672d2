"""Products, price lists, discount authority, sales levels and the sales policy (admin writes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import unit_policy
from accounts.models import User
from core.exceptions import ApplicationError
from core.money import round_money
from sales import selectors, workflows
from sales.models import (
    DiscountAuthority,
    PriceList,
    PriceListItem,
    Product,
    SalesLevel,
    SalesPolicy,
    UnitAuthorityCeiling,
    UnitSalesPolicy,
)

from ._common import HUNDRED, _dec, _require_admin
from .access import may_set_authority_for


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
    allowed = {"name", "name_en", "unit_of_measure", "category", "is_active", "needs_price_inquiry", "producing_unit"}
    for key, value in fields.items():
        if key not in allowed:
            raise ApplicationError(_("This field cannot be changed."), field=key)
        setattr(product, key, value)
    if product.needs_price_inquiry and product.producing_unit_id is None:
        raise ApplicationError(
            _("Name the producing unit that answers the price inquiries."), field="producing_unit", code="required"
        )
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


def _percent(value, *, field: str) -> Decimal:
    pct = _dec(value, field=field)
    if pct < 0 or pct > HUNDRED:
        raise ApplicationError(_("The maximum discount must be between 0 and 100 %."), field=field, code="range")
    return pct


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
    """Append a discount authority (折扣許可權) row for a person or a level (history is kept). Admins set any
    person's or level's; a unit's manager sets their own salespeople's, within the ceiling the admin set for the
    salesperson's unit on `effective_from` (equal to the ceiling is allowed)."""
    if not actor.is_admin_role and not actor.is_manager:
        raise PermissionDenied(_("Only admins and department managers may set discount authority."))
    if (user is None) == (level is None):
        raise ApplicationError(_("Choose either a salesperson or a level."), field="user", code="target")
    if not actor.is_admin_role and (level is not None or not may_set_authority_for(actor, user)):
        raise PermissionDenied(_("A department manager sets the authority of their own salespeople only."))
    pct = _percent(max_discount_percent, field="max_discount_percent")
    if not actor.is_admin_role:
        ceiling = selectors.authority_ceiling_for(unit_id=user.unit_id, on=effective_from)
        if ceiling is None:
            raise ApplicationError(
                _("The admin has set no discount authority ceiling for this unit yet."),
                field="max_discount_percent",
                code="no_ceiling",
            )
        if pct > ceiling.max_discount_percent:
            raise ApplicationError(
                _("At most %(ceiling)s %%: the ceiling the admin set for this unit.")
                % {"ceiling": f"{ceiling.max_discount_percent:f}"},
                field="max_discount_percent",
                code="above_ceiling",
            )
    return DiscountAuthority.objects.create(
        user=user, level=level, max_discount_percent=pct, effective_from=effective_from, set_by=actor, note=note
    )


@transaction.atomic
def authority_ceiling_set(
    *, actor: User, unit, max_discount_percent: Decimal, effective_from: dt.date
) -> UnitAuthorityCeiling:
    """Append the ceiling of the discount authority a unit's manager may give (admins only)."""
    _require_admin(actor)
    pct = _percent(max_discount_percent, field="max_discount_percent")
    return UnitAuthorityCeiling.objects.create(
        unit=unit, max_discount_percent=pct, effective_from=effective_from, set_by=actor
    )


UNIT_POLICY_FIELDS = UnitSalesPolicy.OVERRIDES


def unit_sales_policy_propose(*, actor: User, unit, effective_from: dt.date, **values) -> UnitSalesPolicy:
    """A unit's own sales rules (實施細則) from a date; empty values fall back to the company's. Not in force until
    the GM office approves it (unit_sales_policy_approve). The machinery is `accounts.unit_policy`."""
    return unit_policy.propose(
        UnitSalesPolicy,
        workflows.UNIT_POLICY,
        actor=actor,
        unit=unit,
        effective_from=effective_from,
        values=values,
        url=reverse("sales:unit_rules"),
    )


def unit_sales_policy_approve(*, actor: User, policy: UnitSalesPolicy) -> UnitSalesPolicy:
    """The GM office approves a unit's rules on the group president's behalf; from then on they are in force."""
    return unit_policy.approve(workflows.UNIT_POLICY, actor=actor, policy=policy, url=reverse("sales:unit_rules"))


def unit_sales_policy_reject(*, actor: User, policy: UnitSalesPolicy, reason: str) -> UnitSalesPolicy:
    """The GM office sends the unit's rules back with a reason; they never take effect (a new proposal may)."""
    return unit_policy.reject(
        workflows.UNIT_POLICY, actor=actor, policy=policy, reason=reason, url=reverse("sales:unit_rules")
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
    "quote_valid_days",
    "default_discount_percent",
    "design_rate",
    "commissioning_rate",
    "contingency_rate",
    "management_rate",
    "profit_tax_rate",
    "salespeople_see_cost",
)


def _positive_int(value, *, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("Enter a whole number."), field=field, code="invalid") from None
    if number < 1:
        raise ApplicationError(_("Must be at least 1."), field=field, code="invalid")
    return number


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
        if name == "salespeople_see_cost":
            value = bool(value)
        elif name == "quote_valid_days":
            value = _positive_int(value, field=name)
        elif name != "filing_days":
            value = _dec(value, field=name)
            if value < 0:
                raise ApplicationError(_("Cannot be negative."), field=name, code="negative")
        setattr(row, name, value)
    if values:
        raise ApplicationError(_("Unknown setting."), field=next(iter(values)), code="unknown")
    row.save()
    return row
