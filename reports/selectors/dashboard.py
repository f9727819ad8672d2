"""The dashboard: its scope (drill-down), period figures, charts and the cache in front of them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit, User
from customers.models import ContactKind, ContactLog
from receivables import rules as receivables_rules
from receivables import selectors as receivables_selectors
from sales.models import SOLD_STATUSES, Contract, Payment

from ..calendar import WorkingCalendar, local_tz
from ..models import (
    CustomerSalesMonthly,
    PerformanceMonthly,
    ReceivableAgeSummary,
    SummaryState,
    TopCustomerSummary,
)
from ..periods import add_months, month_start, months_in, period_bounds, period_label, quarter_start, year_start
from ._common import ZERO, _day_range, pct
from .compliance import Compliance, compliance_slices
from .evaluation import people_in_scope
from .scope import Scope, resolve_scope, scoped
from .targets import TargetBook, expected_by, target_book


@dataclass(frozen=True)
class DashboardQuery:
    """The dashboard's query parameters (period and drill-down), read one way by the pages and the API. Ids stay
    as given: dashboard_data answers an unknown period with the month, and resolve_scope a malformed or invisible
    id with ScopeNotFound (a 404 for the views), never a server error."""

    period: str = "month"
    unit_id: str | None = None
    salesperson_id: str | None = None
    customer_id: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> DashboardQuery:
        return cls(
            period=query.get("period") or "month",
            unit_id=query.get("unit"),
            salesperson_id=query.get("salesperson"),
            customer_id=query.get("customer"),
        )

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)

    def scope_query(self) -> str:
        """The drill-down part of the query string (unit, salesperson, customer), to keep on links."""
        keep = {"unit": self.unit_id, "salesperson": self.salesperson_id, "customer": self.customer_id}
        return "&".join(f"{k}={v}" for k, v in keep.items() if v)


@dataclass
class PeriodFigures:
    key: str
    label: str
    start: dt.date
    end: dt.date
    sales: Decimal = ZERO
    quantity: Decimal = ZERO
    target: Decimal | None = None
    completion: Decimal | None = None
    expected: Decimal | None = None
    pace: Decimal | None = None
    collected: Decimal = ZERO
    visits: int = 0
    new_customers: int = 0
    compliance: Decimal | None = None


@dataclass
class Dashboard:
    scope: Scope
    today: dt.date
    period: str
    periods: list[PeriodFigures]
    trend: list[dict]
    overdue: list[dict]
    ranking: list[dict]
    units: list[dict]
    top_customers: list[dict]
    refreshed_at: dt.datetime | None

    @property
    def selected(self) -> PeriodFigures:
        return next(p for p in self.periods if p.key == self.period)


def age_buckets(policy: receivables_rules.Policy) -> list[tuple[str, str]]:
    """(key, label) of the receivables policy's aging buckets: not yet due, then days past due."""
    out = [(receivables_rules.CURRENT, str(_("Not yet due")))]
    low = 1
    for key, edge in zip(receivables_rules.bucket_keys(policy)[1:], policy.bucket_edges, strict=False):
        out.append((key, str(_("%(low)s–%(high)s days") % {"low": low, "high": edge})))
        low = edge + 1
    out.append((receivables_rules.bucket_keys(policy)[-1], str(_("Over %(days)s days") % {"days": low - 1})))
    return out


PERIODS = ("month", "quarter", "year")


def dashboard_data(
    *,
    user: User,
    period: str = "month",
    unit_id=None,
    salesperson_id=None,
    customer_id=None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """This month / quarter / year at a glance for the user's scope, from the summary tables. About fifteen
    queries, whatever the size of the company."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    period = period if period in PERIODS else "month"
    scope = resolve_scope(user=user, unit_id=unit_id, salesperson_id=salesperson_id, customer_id=customer_id)
    starts = {"month": month_start(today), "quarter": quarter_start(today), "year": year_start(today)}
    periods = _empty_periods(starts)
    trend_from = add_months(month_start(today), -11)
    monthly = _monthly_figures(scope=scope, user=user, since=min(trend_from, starts["year"]))
    _add_monthly_figures(periods, monthly, today=today)
    people = _people(scope=scope, user=user)
    book, key = _target_book_of(scope=scope, people=people, year_from=starts["year"], today=today)
    cal = WorkingCalendar(starts["year"], period_bounds("year", starts["year"])[1])
    _add_targets(periods, book=book, key=key, scope=scope, cal=cal, today=today)
    compliance = _add_compliance(periods, people=people, starts=starts, now=now, cal=cal, today=today)
    selected = next(p for p in periods if p.key == period)
    ranking = _ranking(
        scope=scope, user=user, people=people, book=book, compliance=compliance.get(period, {}), selected=selected
    )
    units = _units(scope=scope, user=user, book=book, selected=selected)
    top_customers = _top_customers(scope=scope, user=user, selected=selected)
    overdue = _overdue(scope=scope, user=user, today=today)
    state = SummaryState.objects.filter(name="dashboard").first()
    return Dashboard(
        scope=scope,
        today=today,
        period=period,
        periods=periods,
        trend=_trend(monthly, trend_from=trend_from, today=today),
        overdue=overdue,
        ranking=ranking,
        units=units,
        top_customers=top_customers,
        refreshed_at=state.refreshed_at if state else None,
    )


def _empty_periods(starts: dict[str, dt.date]) -> list[PeriodFigures]:
    labels = {"month": _("This month"), "quarter": _("This quarter"), "year": _("This year")}
    return [PeriodFigures(key=k, label=str(labels[k]), start=s, end=period_bounds(k, s)[1]) for k, s in starts.items()]


def _empty_month() -> dict:
    return {"sales": ZERO, "quantity": ZERO, "collected": ZERO, "visits": 0, "new_customers": 0}


def _monthly_figures(*, scope: Scope, user: User, since: dt.date) -> dict[dt.date, dict]:
    """Monthly figures of the scope (one query; a customer's collections and visits are read live, two more)."""
    if scope.level != "customer":
        return {
            row["month"]: row
            for row in scoped(PerformanceMonthly.objects, scope, user)
            .filter(month__gte=since)
            .values("month")
            .annotate(
                sales=Sum("sales_amount"),
                quantity=Sum("sales_quantity"),
                collected=Sum("collected"),
                visits=Sum("visits"),
                new_customers=Sum("new_customers"),
            )
            .order_by()
        }
    monthly = {
        m: {"sales": a, "quantity": q, "collected": ZERO, "visits": 0, "new_customers": 0}
        for m, a, q in scoped(CustomerSalesMonthly.objects, scope, user)
        .filter(month__gte=since)
        .values_list("month")
        .annotate(a=Sum("amount"), q=Sum("quantity"))
        .order_by()
    }
    # One customer is small: its collections and visits are read live (two queries).
    for m, amount in (
        Payment.objects.filter(contract__customer_id=scope.customer.pk, paid_on__gte=since)
        .annotate(m=TruncMonth("paid_on"))
        .values_list("m")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        monthly.setdefault(m, _empty_month())["collected"] = amount
    for m, n in (
        ContactLog.objects.filter(
            customer_id=scope.customer.pk, kind=ContactKind.VISIT, happened_at__gte=_day_range(since)[0]
        )
        .annotate(m=TruncMonth("happened_at", tzinfo=local_tz()))
        .values_list("m")
        .annotate(n=Count("id"))
        .order_by()
    ):
        m = m.date() if isinstance(m, dt.datetime) else m
        monthly.setdefault(m, _empty_month())["visits"] = n
    return monthly


def _add_monthly_figures(periods: list[PeriodFigures], monthly: dict[dt.date, dict], *, today: dt.date) -> None:
    for p in periods:
        for m in months_in(p.start, min(p.end, today)):
            row = monthly.get(m)
            if row:
                p.sales += row["sales"] or ZERO
                p.quantity += row["quantity"] or ZERO
                p.collected += row["collected"] or ZERO
                p.visits += row["visits"] or 0
                p.new_customers += row["new_customers"] or 0


def _trend(monthly: dict[dt.date, dict], *, trend_from: dt.date, today: dt.date) -> list[dict]:
    """Sales, collections and visits of the last twelve months (the trend chart)."""
    trend = []
    for m in months_in(trend_from, today):
        row = monthly.get(m, {})
        trend.append(
            {
                "month": m.strftime("%Y-%m"),
                "sales": row.get("sales") or ZERO,
                "collected": row.get("collected") or ZERO,
                "visits": row.get("visits") or 0,
            }
        )
    return trend


def _people(*, scope: Scope, user: User) -> list[User]:
    """Salespeople in the scope (none for a customer)."""
    if scope.level == "salesperson":
        return [scope.salesperson]
    if scope.level == "customer":
        return []
    pq = people_in_scope(user)
    if scope.level == "unit":
        pq = pq.filter(unit_id__in=scope.unit_ids)
    return list(pq.only("id", "username", "full_name", "first_name", "last_name", "unit_id", "date_joined"))


def _target_book_of(*, scope: Scope, people: list[User], year_from: dt.date, today: dt.date) -> tuple[TargetBook, Any]:
    """The targets of the scope and its people, and the book key of the scope's own target."""
    person_ids = [p.pk for p in people]
    if scope.level == "company":
        book = target_book(year_from=year_from, year_to=today, company=True, user_ids=person_ids)
        return book, (None if book.has(None) else ("units",))
    if scope.level == "unit":
        book = target_book(year_from=year_from, year_to=today, unit_ids=scope.unit_ids, user_ids=person_ids)
        for (k, ptype, start), amount in list(book._amounts.items()):
            if k in scope.unit_ids:
                book.add("units", ptype, start, amount)
        return book, "units"
    if scope.level == "salesperson":
        book = target_book(year_from=year_from, year_to=today, user_ids=person_ids)
        return book, ("sp", scope.salesperson.pk)
    return TargetBook(), None


def _add_targets(
    periods: list[PeriodFigures], *, book: TargetBook, key, scope: Scope, cal: WorkingCalendar, today: dt.date
) -> None:
    """Each period's target, completion, and the amount expected by today (pro rata of the working days)."""
    for p in periods:
        p.target = book.amount(key, p.key, p.start) if scope.level != "customer" else None
        if p.target:
            p.completion = pct(p.sales, p.target)
            p.expected = expected_by(p.target, days=cal.working_days(p.start, p.end), as_of=today)
            p.pace = pct(p.sales, p.expected)


def _add_compliance(
    periods: list[PeriodFigures],
    *,
    people: list[User],
    starts: dict[str, dt.date],
    now: dt.datetime,
    cal: WorkingCalendar,
    today: dt.date,
) -> dict[str, dict[int, Compliance]]:
    """Report compliance of the scope's people in each period; returns it per period and person."""
    if not people:
        return {}
    # One report query for the whole year; each period is a slice of it.
    year_comp = compliance_slices(
        people=people,
        slices={k: (s, min(period_bounds(k, s)[1], today)) for k, s in starts.items()},
        now=now,
        cal=cal,
    )
    for p in periods:
        due = sum(c.due_days for c in year_comp[p.key].values())
        on = sum(c.on_time for c in year_comp[p.key].values())
        p.compliance = pct(on, due)
    return year_comp


def _ranking(
    *,
    scope: Scope,
    user: User,
    people: list[User],
    book: TargetBook,
    compliance: dict[int, Compliance],
    selected: PeriodFigures,
) -> list[dict]:
    """Ranking of salespeople in the selected period (one query + the people above)."""
    if scope.level not in ("company", "unit"):
        return []
    per_owner = {
        row["owner_id"]: row
        for row in scoped(PerformanceMonthly.objects, scope, user)
        .filter(month__gte=selected.start, month__lte=selected.end)
        .values("owner_id")
        .annotate(sales=Sum("sales_amount"), collected=Sum("collected"), visits=Sum("visits"))
        .order_by()
    }
    ranking = []
    for person in people:
        row = per_owner.get(person.pk, {})
        target = book.amount(("sp", person.pk), selected.key, selected.start)
        sales = row.get("sales") or ZERO
        ranking.append(
            {
                "id": person.pk,
                "name": person.get_full_name(),
                "sales": sales,
                "target": target,
                "completion": pct(sales, target),
                "collected": row.get("collected") or ZERO,
                "visits": row.get("visits") or 0,
                "compliance": compliance[person.pk].rate if person.pk in compliance else None,
            }
        )
    ranking.sort(key=lambda r: (-r["sales"], r["name"]))
    for n, row in enumerate(ranking, start=1):
        row["rank"] = n
    return ranking


def _units(*, scope: Scope, user: User, book: TargetBook, selected: PeriodFigures) -> list[dict]:
    """Units (company level): sales per unit in the selected period (two queries)."""
    if scope.level != "company":
        return []
    per_unit = dict(
        PerformanceMonthly.objects.visible_to(user)
        .filter(month__gte=selected.start, month__lte=selected.end)
        .values_list("unit_id")
        .annotate(s=Sum("sales_amount"))
        .order_by()
    )
    units = []
    for u in SalesUnit.objects.order_by("code"):
        target = book.amount(u.pk, selected.key, selected.start)
        sales = per_unit.get(u.pk) or ZERO
        units.append({"id": u.pk, "name": u.name, "sales": sales, "target": target, "completion": pct(sales, target)})
    return units


def _top_customers(*, scope: Scope, user: User, selected: PeriodFigures) -> list[dict]:
    """Top customers in the selected period: from the precomputed top ten (one query), or live for a manager of
    several units or when the summary predates the period."""
    if scope.level == "customer":
        return []
    summary = TopCustomerSummary.objects.filter(period_type=selected.key, period_start=selected.start)
    if scope.level == "company":
        summary = summary.filter(unit__isnull=True, owner__isnull=True)
    elif scope.level == "unit" and len(scope.unit_ids) == 1:
        summary = summary.filter(unit_id=scope.unit_ids[0], owner__isnull=True)
    elif scope.level == "salesperson":
        summary = summary.filter(owner_id=scope.salesperson.pk, unit__isnull=True)
    else:
        summary = summary.none()
    rows = list(
        summary.order_by("rank").values("customer_id", "customer__name", "customer__short_name", "amount", "quantity")
    )
    if not rows:
        rows = list(
            scoped(CustomerSalesMonthly.objects, scope, user)
            .filter(month__gte=selected.start, month__lte=selected.end)
            .values("customer_id", "customer__name", "customer__short_name")
            .annotate(amount=Sum("amount"), quantity=Sum("quantity"))
            .order_by("-amount", "customer_id")[:10]
        )
    return [
        {
            "id": r["customer_id"],
            "name": r["customer__short_name"] or r["customer__name"],
            "amount": r["amount"] or ZERO,
            "quantity": r["quantity"] or ZERO,
        }
        for r in rows
    ]


def _overdue(*, scope: Scope, user: User, today: dt.date) -> list[dict]:
    """Open receivables by age, per shipment (one query; read live when the summary has no rows for today)."""
    policy = receivables_selectors.policy_for(today)
    by_bucket = {}
    if scope.level != "customer":
        by_bucket = {
            row["bucket"]: row
            for row in scoped(ReceivableAgeSummary.objects, scope, user)
            .filter(as_of=today)
            .values("bucket")
            .annotate(amount=Sum("amount"), contracts=Sum("contracts"))
            .order_by()
        }
    if not by_bucket:
        by_bucket = _receivables_by_age_live(scoped(Contract.objects, scope, user), today, policy)
    return [
        {
            "key": k,
            "label": label,
            "amount": by_bucket.get(k, {}).get("amount") or ZERO,
            "contracts": by_bucket.get(k, {}).get("contracts") or 0,
        }
        for k, label in age_buckets(policy)
    ]


def _receivables_by_age_live(contracts, today: dt.date, policy: receivables_rules.Policy) -> dict[str, dict]:
    """The receivables module's SQL form over the scope's sold contracts, grouped by bucket."""
    sql, params = receivables_selectors.aged_sql(
        contracts=contracts.filter(status__in=SOLD_STATUSES), as_of=today, policy=policy
    )
    query = f"""{sql}
        SELECT bucket, SUM(open), COUNT(DISTINCT contract_id) FROM aged WHERE open > 0 GROUP BY bucket"""  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(query, params)
        return {bucket: {"amount": amount, "contracts": n} for bucket, amount, n in cur.fetchall()}


def dashboard_period_label(period: str, today: dt.date) -> str:
    return period_label(period, {"month": month_start, "quarter": quarter_start, "year": year_start}[period](today))


def dashboard_cached(
    *, user: User, period: str = "month", unit_id=None, salesperson_id=None, customer_id=None
) -> Dashboard:
    """dashboard_data behind the cache, for the pages and the API. The key holds the user (and their role and
    unit, so a move takes effect at once), the drill-down, and the moment the summary tables were last rebuilt,
    so a refresh is visible immediately; the live parts (report compliance, targets) may lag by at most
    settings.REPORTS_DASHBOARD_CACHE_SECONDS (default 120 s; 0 disables the cache). One query on a hit."""
    seconds = getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 120)
    kwargs = {"period": period, "unit_id": unit_id, "salesperson_id": salesperson_id, "customer_id": customer_id}
    if not seconds:
        return dashboard_data(user=user, **kwargs)
    refreshed = SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", flat=True).first()
    raw = "|".join(
        str(v)
        for v in (
            user.pk,
            user.role,
            user.unit_id,
            user.is_superuser,
            sorted(user.team_unit_ids) if user.is_manager else "",
            period,
            unit_id,
            salesperson_id,
            customer_id,
            refreshed.timestamp() if refreshed else "",
            timezone.localdate(),
        )
    )
    key = "reports:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = dashboard_data(user=user, **kwargs)
        cache.set(key, data, seconds)
    return data
