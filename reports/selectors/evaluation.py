"""Evaluation figures (表現評估) per salesperson and period, and the people a user may evaluate."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Role, User
from commission.selectors import expense_control_by_owner
from core.money import round_money
from customers.models import ContactKind, ContactLog, Customer
from receivables import rules
from receivables import selectors as receivables_selectors
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, ContractLine, Payment
from sales.rules import can_see_cost
from sales.selectors import sees_cost

from ..calendar import WorkingCalendar, local_tz
from ..models import (
    DEFAULT_REVIEW_WEIGHTS,
    MANAGER_ONLY_ITEMS,
    Evaluation,
    ImprovementPoint,
    ReceivableSnapshot,
    ReviewItem,
    ReviewWeights,
    SummaryState,
    TargetKind,
)
from ..periods import add_months, months_in, period_bounds, year_start
from ..rules import average_score, review_quality_score, review_weighted_score
from ._common import ZERO, _dates_range, pct
from .compliance import report_compliance
from .targets import target_books


@dataclass
class Figures:
    salesperson_id: int
    period_type: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    sales_amount: Decimal = ZERO
    sales_quantity: Decimal = ZERO
    contracts: int = 0
    target_amount: Decimal | None = None
    completion: Decimal | None = None
    expected_by_today: Decimal | None = None
    pace: Decimal | None = None
    collections: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    overdue_contracts: int = 0
    visits: int = 0
    calls: int = 0
    working_days_due: int = 0
    reports_on_time: int = 0
    report_compliance: Decimal | None = None
    # Expense control (commission app's rule: commission.selectors.expense_control_by_owner): expense claims
    # approved in the period on the person's contracts against the expense allowance of the contracts sold in it.
    # The allowance is a share of the gross profit below the margin threshold, so it gives the cost away: for a
    # viewer who may not see cost (sees_cost) it, the excess and the share used are None (hide_allowance()).
    expenses_approved: Decimal = ZERO
    expense_allowance: Decimal | None = ZERO
    expense_excess: Decimal | None = ZERO
    expense_used: Decimal | None = None  # approved ÷ allowance, %
    allowance_visible: bool = True
    new_customers: int = 0
    repeat_customers: int = 0
    # Collection target (回款目標) of the person's split line, and cash collected against it.
    collection_target: Decimal | None = None
    collection_completion: Decimal | None = None
    # The same period a year earlier (up to the same day) and the change in %.
    sales_last_year: Decimal = ZERO
    sales_change: Decimal | None = None
    collections_last_year: Decimal = ZERO
    collections_change: Decimal | None = None
    feedback: str = ""
    feedback_by: str = ""

    def as_json(self) -> dict:
        out = {}
        for key, value in asdict(self).items():
            out[key] = str(value) if isinstance(value, Decimal | dt.date) else value
        return out


def overdue_by_owner(*, owner_ids, as_of: dt.date) -> dict[int, tuple[Decimal, int]]:
    """What is overdue per salesperson on a day, and on how many contracts: the receivables module's definition
    (each shipment's unpaid part past its own due date; retention apart), one SQL statement."""
    owner_ids = list(owner_ids)
    policy = receivables_selectors.policy_for(as_of)
    sql, params = receivables_selectors.summary_sql(
        contracts=Contract.objects.filter(owner_id__in=owner_ids, status__in=SOLD_STATUSES),
        as_of=as_of,
        policy=policy,
    )
    n = len(rules.bucket_keys(policy))
    overdue = " + ".join(f"b_{i}" for i in range(1, n)) or "0"
    query = f"""{sql}
        SELECT owner_id, SUM({overdue}), COUNT(*) FILTER (WHERE ({overdue}) > 0)
        FROM summary WHERE ({overdue}) > 0 GROUP BY owner_id"""  # noqa: S608 - our own column names
    with connection.cursor() as cur:
        cur.execute(query, params)
        return {owner_id: (amount, count) for owner_id, amount, count in cur.fetchall()}


def _overdue_for_evaluation(*, ids: list[int], as_of: dt.date, today: dt.date) -> dict[int, tuple[Decimal, int]]:
    """Overdue receivables per person. For a large team evaluated as of today, read the open-receivables snapshot
    rebuilt every ten minutes (the same definition) when it was rebuilt today; otherwise compute it live."""
    if len(ids) > 20 and as_of == today:
        refreshed = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
        if refreshed and timezone.localtime(refreshed, local_tz()).date() == today:
            return {
                owner_id: (amount, n)
                for owner_id, amount, n in ReceivableSnapshot.objects.filter(owner_id__in=ids, due_on__lt=as_of)
                .values_list("owner_id")
                .annotate(s=Sum("outstanding"), n=Count("pk"))
                .order_by()
            }
    return overdue_by_owner(owner_ids=ids, as_of=as_of)


def evaluation_figures(
    *,
    user_ids: list[int],
    period_type: str,
    period_start: dt.date,
    now: dt.datetime | None = None,
    viewer: User | None = None,
) -> dict[int, Figures]:
    """Evaluation figures (表現評估) for several salespeople at once, in a fixed number of queries.

    With a `viewer` (every page, export and API call passes the caller) the figures are as that viewer may see
    them: without cost sight, nothing derived from the expense allowance (docs/confidentiality.md).
    """
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    start, end = period_bounds(period_type, period_start)
    as_of = min(end, today)
    people = list(User.objects.filter(pk__in=user_ids))
    figs = {
        p.pk: Figures(salesperson_id=p.pk, period_type=period_type, period_start=start, period_end=end, as_of=as_of)
        for p in people
    }
    if not figs:
        return figs
    ids = list(figs)
    sold = Contract.objects.filter(
        owner_id__in=ids, status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=as_of
    )
    returned = sales_selectors.approved_returns().filter(
        contract__owner_id__in=ids, contract__status__in=SOLD_STATUSES, decided_on__gte=start, decided_on__lte=as_of
    )
    _add_sales(figs, sold, returned)
    _add_money(figs, start=start, as_of=as_of, today=today)
    _add_activity(figs, sold, start=start, as_of=as_of)
    for pid, comp in report_compliance(people=people, start=start, end=as_of, now=now).items():
        figs[pid].working_days_due, figs[pid].reports_on_time = comp.due_days, comp.on_time
        figs[pid].report_compliance = comp.rate
    _add_targets(figs, period_type=period_type, start=start, end=end, as_of=as_of)
    _add_last_year(figs, start=start, as_of=as_of)
    for ev in Evaluation.objects.filter(
        salesperson_id__in=ids, period_type=period_type, period_start=start
    ).select_related("feedback_by"):
        figs[ev.salesperson_id].feedback = ev.feedback
        figs[ev.salesperson_id].feedback_by = str(ev.feedback_by or "")
    if viewer is not None and not sees_cost(viewer):
        for f in figs.values():
            hide_allowance(f)
    return figs


def hide_allowance(f: Figures) -> Figures:
    """Withhold the expense allowance and everything computed from it (excess, share used). Below the margin
    threshold the allowance is 20 % of the gross profit, so for one sold contract allowance ÷ rate = gross profit
    and the cost follows; the excess gives it back too (approved − excess). What is left, the approved expenses,
    is the salesperson's own claims."""
    f.expense_allowance = f.expense_excess = f.expense_used = None
    f.allowance_visible = False
    return f


def _add_sales(figs: dict[int, Figures], sold, returned) -> None:
    """Sales amount, contracts and quantity of the contracts sold in the period, less the returns approved in it
    (退貨 count in the month of their approval) (three queries)."""
    for owner_id, amount, n in sold.values_list("owner_id").annotate(s=Sum("amount"), n=Count("id")).order_by():
        figs[owner_id].sales_amount, figs[owner_id].contracts = amount or ZERO, n
    for owner_id, qty in (
        ContractLine.objects.filter(contract__in=sold)
        .values_list("contract__owner_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    ):
        figs[owner_id].sales_quantity = qty or ZERO
    for owner_id, amount, qty in (
        returned.values_list("contract__owner_id").annotate(s=Sum("amount"), q=Sum("quantity")).order_by()
    ):
        figs[owner_id].sales_amount -= amount
        figs[owner_id].sales_quantity -= qty


def _add_money(figs: dict[int, Figures], *, start: dt.date, as_of: dt.date, today: dt.date) -> None:
    """Collections, overdue receivables and expense control in the period."""
    ids = list(figs)
    for owner_id, amount in (
        Payment.objects.filter(contract__owner_id__in=ids, paid_on__gte=start, paid_on__lte=as_of)
        .values_list("contract__owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        figs[owner_id].collections = amount or ZERO
    for owner_id, (amount, n) in _overdue_for_evaluation(ids=ids, as_of=as_of, today=today).items():
        figs[owner_id].overdue_amount, figs[owner_id].overdue_contracts = amount, n
    for owner_id, ctl in expense_control_by_owner(owner_ids=ids, start=start, end=as_of).items():
        f = figs[owner_id]
        f.expenses_approved, f.expense_allowance, f.expense_excess = ctl.approved, ctl.allowance, ctl.excess
        f.expense_used = pct(ctl.approved, ctl.allowance)


def _add_activity(figs: dict[int, Figures], sold, *, start: dt.date, as_of: dt.date) -> None:
    """Visits and calls from the contact log, new customers registered, repeat customers (three queries)."""
    ids = list(figs)
    t0, t1 = _dates_range(start, as_of)
    for author_id, kind, n in (
        ContactLog.objects.filter(author_id__in=ids, happened_at__gte=t0, happened_at__lt=t1)
        .values_list("author_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if kind == ContactKind.VISIT:
            figs[author_id].visits = n
        elif kind == ContactKind.CALL:
            figs[author_id].calls = n
    for owner_id, n in (
        Customer.objects.filter(owner_id__in=ids, registered_at__gte=t0, registered_at__lt=t1)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        figs[owner_id].new_customers = n
    # Repeat customers: bought in the period and had bought before it (from anyone in the company).
    bought_before = Contract.objects.filter(
        customer=OuterRef("customer"), status__in=SOLD_STATUSES, signed_on__lt=start
    )
    for owner_id, n in (
        sold.filter(Exists(bought_before))
        .values_list("owner_id")
        .annotate(n=Count("customer", distinct=True))
        .order_by()
    ):
        figs[owner_id].repeat_customers = n


def _add_targets(figs: dict[int, Figures], *, period_type: str, start: dt.date, end: dt.date, as_of: dt.date) -> None:
    """Each person's target, completion, and the amount expected by `as_of` (pro rata of the working days)."""
    books = target_books(year_from=year_start(start), year_to=end, user_ids=list(figs))
    book, collection = books[TargetKind.SALES], books[TargetKind.COLLECTION]
    for pid, f in figs.items():
        f.collection_target = collection.amount(("sp", pid), period_type, start)
        f.collection_completion = pct(f.collections, f.collection_target)
    cal = WorkingCalendar(start, end)
    all_days = cal.working_days()
    elapsed = len([d for d in all_days if d <= as_of])
    for pid, f in figs.items():
        f.target_amount = book.amount(("sp", pid), period_type, start)
        if f.target_amount:
            f.completion = pct(f.sales_amount, f.target_amount)
            ratio = Decimal(elapsed) / Decimal(len(all_days)) if all_days else Decimal(1)
            f.expected_by_today = round_money(f.target_amount * ratio)
            f.pace = pct(f.sales_amount, f.expected_by_today)


def _add_last_year(figs: dict[int, Figures], *, start: dt.date, as_of: dt.date) -> None:
    """Sales and collections of the same period a year earlier, up to the same day (two queries), and the change."""
    ids = list(figs)
    ly_start, ly_end = add_months(start, -12), add_months(as_of, -12)
    for owner_id, amount in (
        Contract.objects.filter(
            owner_id__in=ids, status__in=SOLD_STATUSES, signed_on__gte=ly_start, signed_on__lte=ly_end
        )
        .values_list("owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        figs[owner_id].sales_last_year = amount or ZERO
    for owner_id, amount in (
        Payment.objects.filter(contract__owner_id__in=ids, paid_on__gte=ly_start, paid_on__lte=ly_end)
        .values_list("contract__owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        figs[owner_id].collections_last_year = amount or ZERO
    for f in figs.values():
        f.sales_change = change_pct(f.sales_amount, f.sales_last_year)
        f.collections_change = change_pct(f.collections, f.collections_last_year)


def change_pct(now: Decimal | int, before: Decimal | int) -> Decimal | None:
    """Change from `before` to `now` in % with one decimal, rounded half up; None when there was nothing before."""
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def people_in_scope(user: User):
    """Salespeople the user may evaluate or see on the dashboard."""
    qs = User.objects.filter(role=Role.SALESPERSON, is_active=True)
    if user.is_company_wide:
        return qs
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    if user.is_salesperson:
        return qs.filter(pk=user.pk)
    return qs.none()


@dataclass
class ReviewRow:
    item: str
    label: str
    score: int | None
    weight: Decimal


@dataclass
class Review:
    """The scored part of an evaluation as `viewer` may see it (profit contribution only for cost viewers)."""

    evaluation: Evaluation | None
    rows: list[ReviewRow]
    weighted: Decimal | None  # None for viewers who may not see every item, or while unscored
    improvements: list[ImprovementPoint]
    shows_profit: bool


def evaluation_review_for(*, viewer: User, salesperson: User, period_type: str, period_start: dt.date) -> Review:
    """Scores, weights, weighted score and improvement points of one period: four queries whatever the size."""
    shows_profit = can_see_cost(viewer)
    evaluation = (
        Evaluation.objects.filter(salesperson=salesperson, period_type=period_type, period_start=period_start)
        .prefetch_related("scores")
        .first()
    )
    scored = {s.item: s for s in evaluation.scores.all()} if evaluation else {}
    if scored:
        weights = {item: s.weight for item, s in scored.items()}
    else:
        weights = (ReviewWeights.objects.in_force(period_start) or DEFAULT_REVIEW_WEIGHTS).as_dict()
    rows = [
        ReviewRow(
            item=item, label=str(label), score=scored[item].score if item in scored else None, weight=weights[item]
        )
        for item, label in ReviewItem.choices
        if item in weights and (shows_profit or item not in MANAGER_ONLY_ITEMS)
    ]
    weighted = review_weighted_score({i: s.score for i, s in scored.items()}, weights) if shows_profit else None
    improvements = (
        list(evaluation.improvements.select_related("owner").order_by("closed_at", "due_on", "id"))
        if evaluation
        else []
    )
    return Review(
        evaluation=evaluation, rows=rows, weighted=weighted, improvements=improvements, shows_profit=shows_profit
    )


# --- over time: one salesperson's months, and the year's review score behind the bonus ---------------------------

FINEST_FIRST = ("month", "quarter", "year")


def _review_scores(evaluation: Evaluation, *, leave_out: frozenset[str]) -> Decimal | None:
    scored = {s.item: s for s in evaluation.scores.all()}
    weights = {item: s.weight for item, s in scored.items()}
    scores: dict[str, int | None] = {item: s.score for item, s in scored.items()}
    if not leave_out:
        return review_weighted_score({i: s for i, s in scores.items() if s is not None}, weights)
    return review_quality_score(scores, weights, leave_out=leave_out)


def year_review_quality(*, user_ids: list[int], year: int) -> dict[int, Decimal]:
    """Each person's review score of `year` without the manager-only items (profit contribution): the average over
    their reviews of the finest period reviewed that year (months, else quarters, else the year), each review's
    judged items weighted by the weights it was scored with, scaled to 100 %. Two queries."""
    found: dict[int, dict[str, list[Decimal]]] = {}
    for ev in Evaluation.objects.filter(
        salesperson_id__in=user_ids, period_start__gte=dt.date(year, 1, 1), period_start__lte=dt.date(year, 12, 31)
    ).prefetch_related("scores"):
        score = _review_scores(ev, leave_out=MANAGER_ONLY_ITEMS)
        if score is not None:
            found.setdefault(ev.salesperson_id, {}).setdefault(ev.period_type, []).append(score)
    out: dict[int, Decimal] = {}
    for pid, by_type in found.items():
        finest = next(t for t in FINEST_FIRST if t in by_type)
        average = average_score(by_type[finest])
        if average is not None:
            out[pid] = average
    return out


@dataclass(frozen=True)
class HistoryMonth:
    month: dt.date
    sales: Decimal
    target: Decimal | None
    completion: Decimal | None
    collections: Decimal
    visits: int
    review: Decimal | None


def evaluation_history(*, viewer: User, salesperson: User, last_month: dt.date, months: int = 12) -> list[HistoryMonth]:
    """One salesperson month by month up to `last_month`: sales, target and completion, collections, visits and the
    review score (the weighted score for those who see cost; without the profit contribution for the others).
    Seven queries whatever the number of months."""
    first = add_months(last_month.replace(day=1), 1 - months)
    end = add_months(last_month.replace(day=1), 1) - dt.timedelta(days=1)
    month_list = months_in(first, end)
    sales = dict(
        Contract.objects.filter(owner=salesperson, status__in=SOLD_STATUSES, signed_on__gte=first, signed_on__lte=end)
        .annotate(m=TruncMonth("signed_on"))
        .values_list("m")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    collected = dict(
        Payment.objects.filter(contract__owner=salesperson, paid_on__gte=first, paid_on__lte=end)
        .annotate(m=TruncMonth("paid_on"))
        .values_list("m")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    t0, t1 = _dates_range(first, end)
    visits = {
        timezone.localtime(m, local_tz()).date() if isinstance(m, dt.datetime) else m: n
        for m, n in ContactLog.objects.filter(
            author=salesperson, kind=ContactKind.VISIT, happened_at__gte=t0, happened_at__lt=t1
        )
        .annotate(m=TruncMonth("happened_at", tzinfo=local_tz()))
        .values_list("m")
        .annotate(n=Count("id"))
        .order_by()
    }
    book = target_books(year_from=year_start(first), year_to=end, user_ids=[salesperson.pk], kinds=(TargetKind.SALES,))[
        TargetKind.SALES
    ]
    leave_out = frozenset() if can_see_cost(viewer) else MANAGER_ONLY_ITEMS
    reviews = {
        ev.period_start: _review_scores(ev, leave_out=leave_out)
        for ev in Evaluation.objects.filter(
            salesperson=salesperson, period_type="month", period_start__gte=first, period_start__lte=end
        ).prefetch_related("scores")
    }
    out = []
    for m in month_list:
        target = book.amount(("sp", salesperson.pk), "month", m)
        amount = sales.get(m) or ZERO
        out.append(
            HistoryMonth(
                month=m,
                sales=amount,
                target=target,
                completion=pct(amount, target),
                collections=collected.get(m) or ZERO,
                visits=visits.get(m, 0),
                review=reviews.get(m),
            )
        )
    return out
