"""Who may do what with commission documents. Pure functions of the user (and the document)."""

from __future__ import annotations

from accounts.models import User
from commission.models import ExpenseClaim


def can_close_months(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_finance or user.is_admin_role))


def can_decide_expense(user: User, claim: ExpenseClaim) -> bool:
    """The department manager of the contract's unit (or an admin), never on their own claim."""
    if not user.is_authenticated or claim.claimant_id == user.id:
        return False
    if user.is_admin_role:
        return True
    return user.is_manager and claim.contract.unit_id in user.team_unit_ids
