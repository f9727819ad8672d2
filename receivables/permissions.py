"""Who may do what with receivables: the workbench, the collections log, bad-debt write-offs. Pure functions."""

from __future__ import annotations

from typing import Any

from accounts.models import User


def can_use_workbench(user: User) -> bool:
    """Finance, the GM office, managers and admins see their reach; salespeople their own customers."""
    return bool(
        user.is_authenticated and (user.is_company_wide or user.is_manager or user.is_salesperson or user.is_admin_role)
    )


def can_log_collection(user: User) -> bool:
    """Calls and promises are logged by whoever collects: the salesperson, the manager, finance."""
    return bool(user.is_authenticated and (user.is_seller or user.is_finance or user.is_gm_office))


def can_propose_write_off(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_finance or user.is_manager or user.is_gm_office))


def can_decide_write_off(user: User, write_off: Any) -> bool:
    """Finance or the GM office decide, never on their own proposal."""
    if not user.is_authenticated or write_off.proposed_by_id == user.pk:
        return False
    return bool(user.is_finance or user.is_gm_office)


def can_reverse_write_off(user: User, write_off: Any) -> bool:
    """Finance or the GM office reinstate a written-off debt (the customer turned out able to pay)."""
    return bool(user.is_authenticated and (user.is_finance or user.is_gm_office))
