"""Who owns a new quote or contract. Who may work on a deal is `sales.permissions` (re-exported here)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import PermissionDenied
from customers.models import Customer
from sales.permissions import is_unit_manager, may_work_on

__all__ = ["is_unit_manager", "may_work_on", "owner_for"]


def may_set_authority_for(actor: User, user: User) -> bool:
    """Admins set anyone's discount authority; a unit's manager sets their own salespeople's (never their own)."""
    if actor.is_admin_role:
        return True
    return bool(actor.is_manager and user.pk != actor.pk and user.unit_id and is_unit_manager(actor, user.unit_id))


def owner_for(actor: User, customer: Customer) -> User:
    if actor.is_salesperson:
        return actor
    if actor.is_manager and customer.owner_id and customer.unit_id in actor.team_unit_ids:
        return customer.owner
    if actor.is_manager:
        return actor
    raise PermissionDenied(_("Only salespeople and their managers write quotes and contracts."))
