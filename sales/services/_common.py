"""Private helpers shared by the sales services: number sequences, row locks, events, who may work on a deal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied
from core.numbering import next_number
from customers.models import Customer
from sales.models import (
    Contract,
    ContractEvent,
    Quote,
)

HUNDRED = Decimal("100")


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


_next_number = next_number  # the project's one numbering helper (core.numbering)


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


def _lock_quote(quote: Quote | int) -> Quote:
    pk = quote if isinstance(quote, int) else quote.pk
    return Quote.objects.select_for_update().get(pk=pk)


def _check_customer(actor: User, customer: Customer) -> None:
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ApplicationError(_("Choose one of your customers."), field="customer", code="not_visible")
