"""Who may do what with customers. Pure functions of the user (and the customer); no ORM writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import SalesUnit, User
    from customers.models import Customer


def can_register(user: User | AnonymousUser) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role
        in {Role.SALESPERSON, Role.MANAGER, Role.STAFF}
        | {
            Role.GM_OFFICE,
            Role.ADMIN,
        }
    )


def can_edit_customer(user: User | AnonymousUser, customer: Customer) -> bool:
    """The owner, the unit's manager, the GM office and admins edit a card; finance only sets credit."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role in {Role.GM_OFFICE, Role.ADMIN}:
        return True
    if customer.owner_id is not None and customer.owner_id == user.id:
        return True
    return user.is_manager and customer.unit_id in user.team_unit_ids


def can_set_credit(user: User | AnonymousUser, customer: Customer) -> bool:
    """Credit rating and limit are set by the department manager, the GM office, finance or admins."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_company_wide:
        return True
    return user.is_manager and customer.unit_id in user.team_unit_ids


def can_decide_conflicts(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role in {Role.GM_OFFICE, Role.ADMIN})


def can_claim_from_pool(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and user.role in {Role.SALESPERSON, Role.MANAGER}


def can_see_pool(user: User | AnonymousUser) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.role in {Role.SALESPERSON, Role.MANAGER} or user.is_company_wide)
    )


def can_reassign(user: User | AnonymousUser, customer: Customer, new_owner: User | None = None) -> bool:
    """GM office and admins reassign anywhere; a manager within the teams they lead."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role in {Role.GM_OFFICE, Role.ADMIN}:
        return True
    if not user.is_manager:
        return False
    teams = user.team_unit_ids
    return customer.unit_id in teams and (new_owner is None or new_owner.unit_id in teams)


def can_file_month(user: User | AnonymousUser, unit: SalesUnit) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.is_manager and unit.id in user.team_unit_ids


def can_import(user: User | AnonymousUser) -> bool:
    return can_register(user)
