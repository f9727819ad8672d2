"""Reads for the role-aware home page. A bounded number of queries, whatever the size of the team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, Func, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, SalesUnit, User
from core import due, periods
from customers.models import ContactLog, Customer, CustomerStatus
from reminders.selectors import due_lookback_days
from reports.models import DailyReport
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, ContractStatus, Payment


@dataclass(frozen=True)
class PersonRow:
    user: User
    customers: int
    sales_month: Decimal
    report_today: bool


@dataclass(frozen=True)
class UnitRow:
    unit: SalesUnit
    members: int
    customers: int
    sales_month: Decimal


@dataclass
class HomeData:
    today: dt.date
    customers_by_status: list[tuple[str, int]] = field(default_factory=list)
    next_steps_due: list[ContactLog] = field(default_factory=list)
    open_contracts: int = 0
    sales_month: Decimal = Decimal("0")
    collected_month: Decimal = Decimal("0")
    report_today: DailyReport | None = None
    awaiting_my_approval: int = 0
    filing_overdue: int = 0
    team: list[PersonRow] = field(default_factory=list)

    @property
    def customers_total(self) -> int:
        return sum(n for _, n in self.customers_by_status)

    units: list[UnitRow] = field(default_factory=list)


def _count_subquery(qs) -> Coalesce:
    # COUNT as a plain Func adds no GROUP BY: one row, the count for the outer row.
    counted = qs.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sum_subquery(qs, group_field: str) -> Coalesce:
    summed = qs.order_by().values(group_field).annotate(s=Sum("amount")).values("s")[:1]
    return Coalesce(Subquery(summed, output_field=DecimalField(max_digits=14, decimal_places=2)), Decimal("0"))


def home_data(*, user: User, today: dt.date | None = None) -> HomeData:
    today = today or timezone.localdate()
    month_start = periods.month_start(today)
    data = HomeData(today=today)
    customers = Customer.objects.visible_to(user)
    counts = dict(customers.values_list("status").annotate(n=Count("id")).order_by())
    data.customers_by_status = [(label, counts[value]) for value, label in CustomerStatus.choices if value in counts]
    data.next_steps_due = list(
        ContactLog.objects.visible_to(user)
        .filter(due.due_q("next_step_date", today=today, lookback_days=due_lookback_days()))  # as the inbox
        # A later contact with the customer supersedes the next step agreed before it.
        .exclude(
            Exists(ContactLog.objects.filter(customer=OuterRef("customer"), happened_at__gt=OuterRef("happened_at")))
        )
        .select_related("customer")
        .order_by("next_step_date")[:10]
    )
    contracts = Contract.objects.visible_to(user)
    data.open_contracts = contracts.exclude(status__in=[ContractStatus.FILED, ContractStatus.CANCELLED]).count()
    data.sales_month = contracts.filter(status__in=SOLD_STATUSES, signed_on__gte=month_start).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    data.collected_month = Payment.objects.visible_to(user).filter(paid_on__gte=month_start).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0")
    data.report_today = DailyReport.objects.filter(author=user, date=today, submitted_at__isnull=False).first()
    data.filing_overdue = contracts.filter(
        pk__in=sales_selectors.contracts_filing_overdue(today=today).values("pk")
    ).count()
    if user.is_manager or user.is_gm_office:
        data.awaiting_my_approval = contracts.filter(pk__in=sales_selectors.awaiting_approval_ids(user=user)).count()

    if user.is_manager:
        # Subqueries, not joins: joining customers and contracts together would multiply the sums.
        members = (
            User.objects.filter(unit_id__in=user.team_unit_ids, role=Role.SALESPERSON, is_active=True)
            .annotate(
                n_customers=_count_subquery(Customer.objects.filter(owner=OuterRef("pk"))),
                sales=_sum_subquery(
                    Contract.objects.filter(owner=OuterRef("pk"), status__in=SOLD_STATUSES, signed_on__gte=month_start),
                    "owner",
                ),
                reported=Exists(
                    DailyReport.objects.filter(author=OuterRef("pk"), date=today, submitted_at__isnull=False)
                ),
            )
            .order_by("full_name", "username")
        )
        data.team = [
            PersonRow(user=m, customers=m.n_customers, sales_month=m.sales, report_today=m.reported) for m in members
        ]
    if user.is_company_wide:
        units = SalesUnit.objects.annotate(
            n_members=_count_subquery(User.objects.filter(unit=OuterRef("pk"), is_active=True)),
            n_customers=_count_subquery(Customer.objects.filter(unit=OuterRef("pk"))),
        ).order_by("code")
        sales_by_unit = dict(
            Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__gte=month_start)
            .values_list("unit_id")
            .annotate(s=Sum("amount"))
            .order_by()
        )
        data.units = [
            UnitRow(
                unit=u,
                members=u.n_members,
                customers=u.n_customers,
                sales_month=sales_by_unit.get(u.id, Decimal("0")),
            )
            for u in units
        ]
    return data
