"""Who may work on a deal: the owner or a manager of the deal's unit; who owns a new quote or contract."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import PermissionDenied
from customers.models import Customer


def is_unit_manager(actor: User, unit_id: int) -> bool:
    return actor.is_manager and unit_id in actor.team_unit_ids


def may_work_on(actor: User, *, owner_id: int, unit_id: int) -> bool:
    """The owner, or a manager of the deal's unit."""
    return actor.pk == owner_id or is_unit_manager(actor, unit_id)


def owner_for(actor: User, customer: Customer) -> User:
    if actor.is_salesperson:
        return actor
    if actor.is_manager and customer.owner_id and customer.unit_id in actor.team_unit_ids:
        return customer.owner
    if actor.is_manager:
        return actor
    raise PermissionDenied(_("Only salespeople and their managers write quotes and contracts."))
