"""Who sees which rows, in one place. Every queryset's visible_to(user) is built from scope_q."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class ScopedUser(Protocol):
    """What scope_q reads of a signed-in user (accounts.User; core imports no app, so it names the shape)."""

    @property
    def is_authenticated(self) -> Literal[True]: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_company_wide(self) -> bool: ...
    @property
    def is_manager(self) -> bool: ...
    @property
    def is_salesperson(self) -> bool: ...
    @property
    def team_unit_ids(self) -> frozenset[int]: ...


def scope_q(user: ScopedUser | AnonymousUser | None, *, owner: str = "owner", unit: str = "unit") -> Q:
    """Salesperson: own rows; manager: own rows and the unit's; GM office, finance, admin: all; others: none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_company_wide:
        return Q()
    if user.is_manager:
        return Q(**{owner: user}) | Q(**{f"{unit}__in": user.team_unit_ids})
    if user.is_salesperson or getattr(user, "role", None) == "staff":
        return Q(**{owner: user})
    return Q(pk__in=[])


class VisibleQuerySet(models.QuerySet[Any]):
    """QuerySet with visible_to(user); subclasses may set owner_field / unit_field."""

    owner_field = "owner"
    unit_field = "unit"

    def visible_to(self, user: ScopedUser | AnonymousUser | None) -> Self:
        return self.filter(scope_q(user, owner=self.owner_field, unit=self.unit_field))
