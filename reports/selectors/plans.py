"""Plans and monthly summaries: actual sales and visits against a plan, the summary draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import ContactKind, ContactLog
from sales.models import Contract

from ..calendar import local_tz
from ..periods import period_bounds
from ._common import SOLD, ZERO, _dates_range, pct
from .evaluation import evaluation_figures


@dataclass(frozen=True)
class PlanActuals:
    start: dt.date
    end: dt.date
    sales: Decimal
    visits: int
    sales_completion: Decimal | None
    visits_completion: Decimal | None


def plan_actuals(*, plan, now: dt.datetime | None = None) -> PlanActuals:
    """What the author actually sold and how many visits they made in the plan's week or month (so far)."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = period_bounds("week" if plan.kind == "weekly" else "month", plan.period_start)
    upto = min(end, today)
    sales = (
        Contract.objects.filter(
            owner_id=plan.author_id, status__in=SOLD, signed_on__gte=start, signed_on__lte=upto
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    t0, t1 = _dates_range(start, upto)
    visits = ContactLog.objects.filter(
        author_id=plan.author_id, kind=ContactKind.VISIT, happened_at__gte=t0, happened_at__lt=t1
    ).count()
    return PlanActuals(
        start=start,
        end=end,
        sales=sales,
        visits=visits,
        sales_completion=pct(sales, plan.sales_goal),
        visits_completion=pct(visits, plan.visits_goal),
    )


def month_summary_draft(*, author: User, month: dt.date) -> str:
    """A starting text for the monthly summary (月度總結): the month's figures from the evaluation."""
    f = evaluation_figures(user_ids=[author.pk], period_type="month", period_start=month)[author.pk]

    def money(v):
        return "—" if v is None else f"{v:,.0f}"

    def percent(v):
        return "—" if v is None else f"{v}%"

    return "\n".join(
        [
            f"{_('Sales')}: {money(f.sales_amount)} / {_('Target')}: {money(f.target_amount)} "
            f"({percent(f.completion)})",
            f"{_('Collected')}: {money(f.collections)} · {_('Overdue receivables')}: {money(f.overdue_amount)}",
            f"{_('Visits')}: {f.visits} · {_('Calls')}: {f.calls} · {_('New customers')}: {f.new_customers}",
            f"{_('Report compliance')}: {percent(f.report_compliance)}",
        ]
    )
