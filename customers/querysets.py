from core.visibility import VisibleQuerySet


class CustomerQuerySet(VisibleQuerySet):
    pass


class ContactLogQuerySet(VisibleQuerySet):
    owner_field = "customer__owner"
    unit_field = "customer__unit"
