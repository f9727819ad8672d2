"""The dashboard's scope: which slice of the company (company, unit, salesperson, customer) a user drills into."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import Role, SalesUnit, User
from customers.models import Customer

from .evaluation import people_in_scope


class ScopeNotFound(Exception):
    """The requested unit, salesperson or customer is not visible to the user (the views answer 404)."""


@dataclass
class Scope:
    level: str  # company, unit, salesperson, customer
    label: str
    unit: SalesUnit | None = None
    salesperson: User | None = None
    customer: Customer | None = None
    unit_ids: list[int] | None = None  # manager's team when no unit is chosen
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, query string)


def resolve_scope(*, user: User, unit_id=None, salesperson_id=None, customer_id=None) -> Scope:
    """Which slice of the company the dashboard shows; ScopeNotFound when the user may not see it."""

    def _int(v):
        try:
            return int(v) if v not in (None, "") else None
        except (TypeError, ValueError):
            raise ScopeNotFound from None

    unit_id, salesperson_id, customer_id = _int(unit_id), _int(salesperson_id), _int(customer_id)
    crumbs: list[tuple[str, str]] = []
    if user.is_company_wide:
        crumbs.append((str(_("Company")), "?"))
        scope = Scope(level="company", label=str(_("Company")), crumbs=crumbs)
    elif user.is_manager:
        scope = Scope(level="unit", label=str(_("My team")), unit_ids=sorted(user.team_unit_ids), crumbs=crumbs)
        crumbs.append((scope.label, "?"))
    elif user.is_salesperson or user.role == Role.STAFF:
        scope = Scope(level="salesperson", label=user.get_full_name(), salesperson=user, crumbs=crumbs)
        salesperson_id = None
        unit_id = None
    else:
        raise ScopeNotFound
    if customer_id is not None:
        customer = Customer.objects.visible_to(user).select_related("owner", "unit").filter(pk=customer_id).first()
        if customer is None:
            raise ScopeNotFound
        if scope.level == "salesperson" and customer.owner_id != user.pk:
            raise ScopeNotFound
        salesperson_id = salesperson_id or customer.owner_id
        unit_id = unit_id or customer.unit_id
    if unit_id is not None and scope.level != "salesperson":
        unit = SalesUnit.objects.filter(pk=unit_id).first()
        if unit is None or (user.is_manager and unit.pk not in user.team_unit_ids):
            raise ScopeNotFound
        scope = Scope(level="unit", label=unit.name, unit=unit, unit_ids=[unit.pk], crumbs=crumbs)
        crumbs.append((unit.name, f"?unit={unit.pk}"))
    if salesperson_id is not None and scope.level != "salesperson":
        person = User.objects.select_related("unit").filter(pk=salesperson_id).first()
        if person is None or not people_in_scope(user).filter(pk=person.pk).exists():
            raise ScopeNotFound
        scope = Scope(level="salesperson", label=person.get_full_name(), salesperson=person, crumbs=crumbs)
        crumbs.append((person.get_full_name(), f"?salesperson={person.pk}"))
    if customer_id is not None:
        scope = Scope(
            level="customer",
            label=str(customer),
            customer=customer,
            salesperson=scope.salesperson,
            crumbs=crumbs,
        )
        crumbs.append((str(customer), f"?customer={customer.pk}"))
    return scope


def scoped(qs, scope: Scope, user: User):
    """`qs` (a visible_to queryset) narrowed to the scope."""
    qs = qs.visible_to(user)
    if scope.level == "customer":
        return qs.filter(customer_id=scope.customer.pk) if hasattr(qs.model, "customer") else qs.none()
    if scope.level == "salesperson":
        return qs.filter(owner_id=scope.salesperson.pk)
    if scope.level == "unit":
        return qs.filter(unit_id__in=scope.unit_ids)
    return qs
