from core.visibility import VisibleQuerySet


class ContractQuerySet(VisibleQuerySet):
    pass


class ContractChildQuerySet(VisibleQuerySet):
    owner_field = "contract__owner"
    unit_field = "contract__unit"


class QuoteChildQuerySet(VisibleQuerySet):
    owner_field = "quote__owner"
    unit_field = "quote__unit"
