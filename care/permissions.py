"""Who may do what with care records (pure; the queryset's visible_to decides who sees them)."""

from __future__ import annotations

from typing import Any


def _manages(user: Any, unit_id: int | None) -> bool:
    return bool(user.is_manager and unit_id in user.team_unit_ids)


def can_work_case(user: Any, case: Any) -> bool:
    """The owner works the case; their manager (or the GM office) may step in."""
    if not user.is_authenticated:
        return False
    return bool(case.owner_id == user.pk or _manages(user, case.customer.unit_id) or user.is_gm_office)


def can_reassign_case(user: Any, case: Any) -> bool:
    """The owner hands a case to a named colleague themself (介紹同事); the manager may too."""
    return can_work_case(user, case)


def can_confirm_case(user: Any, case: Any) -> bool:
    """Recording the customer's confirmation closes the case: the owner or the manager."""
    return can_work_case(user, case)


def can_record_checkup(user: Any, checkup: Any) -> bool:
    return bool(checkup.owner_id == user.pk or _manages(user, checkup.customer.unit_id))


def can_edit_policy(user: Any) -> bool:
    return bool(user.is_admin_role)
