from core.visibility import VisibleQuerySet


class StatementQuerySet(VisibleQuerySet):
    owner_field = "salesperson"
    unit_field = "unit"


class ContractChildQuerySet(VisibleQuerySet):
    owner_field = "contract__owner"
    unit_field = "contract__unit"
