from django.db.models import Q

from core.visibility import VisibleQuerySet


class CustomerQuerySet(VisibleQuerySet):
    def in_pool(self):
        return self.filter(owner__isnull=True)


class ContactLogQuerySet(VisibleQuerySet):
    owner_field = "customer__owner"
    unit_field = "customer__unit"


class CustomerConflictQuerySet(VisibleQuerySet):
    """The GM office and admins see every conflict; a claimant sees their own; a manager the unit's claims."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_company_wide:
            return self.all()
        q = Q(claimant=user)
        if user.is_manager:
            q |= Q(claimant_unit__in=user.team_unit_ids) | Q(owner_unit_at_claim__in=user.team_unit_ids)
        elif not (user.is_salesperson or user.is_staff_role):
            return self.none()
        return self.filter(q)
