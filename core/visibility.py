"""Who sees which rows, in one place. Every queryset's visible_to(user) is built from scope_q."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def scope_q(user, *, owner: str = "owner", unit: str = "unit") -> Q:
    """Salesperson: own rows; manager: own rows and the unit's; GM office, finance, admin: all; others: none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_company_wide:
        return Q()
    if user.is_manager:
        return Q(**{owner: user}) | Q(**{f"{unit}__in": user.team_unit_ids})
    if user.is_salesperson or getattr(user, "is_staff_role", False):
        return Q(**{owner: user})
    return Q(pk__in=[])


class VisibleQuerySet(models.QuerySet):
    """QuerySet with visible_to(user); subclasses may set owner_field / unit_field."""

    owner_field = "owner"
    unit_field = "unit"

    def visible_to(self, user):
        return self.filter(scope_q(user, owner=self.owner_field, unit=self.unit_field))
