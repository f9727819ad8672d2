"""The dashboard: its scope (drill-down), period figures, charts and the cache in front of them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    DecimalField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit, User
from core.batch import fetch_together
from customers.models import ContactKind, ContactLog, CustomerTier
from receivables import rules as receivables_rules
from receivables import selectors as receivables_selectors
from sales.models import SOLD_STATUSES, Contract, Payment

from ..breakdowns import dimensions as breakdown_dimensions
from ..calendar import WorkingCalendar, local_tz
from ..models import (
    CustomerSalesMonthly,
    PerformanceMonthly,
    ReceivableAgeSummary,
    SalesBreakdownMonthly,
    SummaryState,
    TargetKind,
    TopCustomerSummary,
)
from ..periods import (
    add_months,
    month_start,
    months_in,
    normalise_start,
    period_bounds,
    period_label,
    quarter_start,
    year_start,
)
from ._common import ZERO, _day_range, pct
from .compliance import Compliance, compliance_slices
from .evaluation import change_pct, people_in_scope
from .scope import Scope, resolve_scope, scoped
from .targets import TargetBook, expected_by, target_books


@dataclass(frozen=True)
class DashboardQuery:
    """The dashboard's query parameters (period and drill-down), read one way by the pages and the API. Ids stay
    as given: dashboard_data answers an unknown period with the month, and resolve_scope a malformed or invisible
    id with ScopeNotFound (a 404 for the views), never a server error."""

    period: str = "month"
    unit_id: str | None = None
    salesperson_id: str | None = None
    customer_id: str | None = None
    on: str | None = None  # any day of a past period (YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD); empty = today

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> DashboardQuery:
        return cls(
            period=query.get("period") or "month",
            unit_id=query.get("unit"),
            salesperson_id=query.get("salesperson"),
            customer_id=query.get("customer"),
            on=query.get("on") or None,
        )

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)

    def scope_query(self) -> str:
        """The drill-down part of the query string (unit, salesperson, customer), to keep on links."""
        keep = {"unit": self.unit_id, "salesperson": self.salesperson_id, "customer": self.customer_id, "on": self.on}
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
    # Cash collected against the collection target (回款目標) of the period.
    collection_target: Decimal | None = None
    collection_completion: Decimal | None = None
    collection_expected: Decimal | None = None
    collection_pace: Decimal | None = None
    # The same period a year earlier, up to the same day, and the change in % (None without last year's figure).
    last_year: dict[str, Any] = field(default_factory=dict)
    change: dict[str, Decimal | None] = field(default_factory=dict)


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
    # The day the figures are read on: today, or the last day of the picked past period.
    as_of: dt.date | None = None
    receivables_as_of: dt.date | None = None
    breakdowns: list[dict] = field(default_factory=list)

    @property
    def is_past(self) -> bool:
        return self.as_of is not None and self.as_of < self.today

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


def parse_on(value: object, *, period: str, today: dt.date) -> dt.date:
    """The day the dashboard is read on, from the period picker: the last day of the `period` that holds `value`
    (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD), never later than today; today when empty or malformed (never raises)."""
    text = str(value or "").strip()
    day = None
    try:
        if len(text) == 4 and text.isdigit():
            day = dt.date(int(text), 1, 1)
        elif len(text) == 7 and text[4:6].upper() == "-Q" and text[:4].isdigit() and text[6] in "1234":
            day = dt.date(int(text[:4]), 3 * int(text[6]) - 2, 1)
        elif len(text) == 7 and text[4] == "-":
            day = dt.date.fromisoformat(text + "-01")
        elif text:
            day = dt.date.fromisoformat(text[:10])
    except ValueError:
        day = None
    if day is None or day.year < 1900 or day >= today:
        return today
    return min(period_bounds(period, normalise_start(period, day))[1], today)


def dashboard_data(
    *,
    user: User,
    period: str = "month",
    unit_id=None,
    salesperson_id=None,
    customer_id=None,
    on=None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """The month / quarter / year at a glance for the user's scope, from the summary tables: the current ones, or
    those holding the picked day `on` (read as of the end of the picked period), each beside the same period a year
    earlier. About twenty queries, whatever the size of the company and the period."""
    now = now or timezone.now()
    real_today = now.astimezone(local_tz()).date()
    period = period if period in PERIODS else "month"
    today = parse_on(on, period=period, today=real_today)
    if today < real_today:  # a past period: everything as it stood at the end of its last day
        now = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=local_tz())
    scope = resolve_scope(user=user, unit_id=unit_id, salesperson_id=salesperson_id, customer_id=customer_id)
    starts = {"month": month_start(today), "quarter": quarter_start(today), "year": year_start(today)}
    periods = _empty_periods(starts, current=today == real_today)
    trend_from = add_months(month_start(today), -11)
    selected = next(p for p in periods if p.key == period)
    # The summary reads that depend on nothing else, sent together (one round trip; each still one query).
    reads = {
        "monthly": _monthly_query(
            scope=scope,
            user=user,
            since=add_months(starts["year"], -12),
            until=today,
            owners_in=(selected.start, selected.end),
        ),
        "state": SummaryState.objects.filter(name="dashboard").values_list("refreshed_at", "stable_before"),
        "units": _units_query(scope=scope, user=user, selected=selected),
        "top": _top_customers_query(scope=scope, selected=selected),
        "breakdowns": _breakdowns_query(scope=scope, user=user, selected=selected, today=today),
        "overdue": _overdue_query(scope=scope, user=user, today=real_today),
    }
    sent = [name for name, query in reads.items() if query is not None]
    fetched = dict(zip(sent, fetch_together(*(reads[name] for name in sent)), strict=True))
    if scope.level == "customer":
        monthly, per_owner = _monthly_figures(
            scope=scope, user=user, since=add_months(starts["year"], -12), until=today
        )
    else:
        monthly, per_owner = _monthly_rows(fetched["monthly"])
    # The summaries' state: the moment they were refreshed, and the day before which the compliance summary holds
    # the reports for good.
    refreshed_at, stable_before = fetched["state"][0] if fetched["state"] else (None, None)
    _add_monthly_figures(periods, monthly, today=today)
    _add_last_year(periods, monthly, today=today)
    people = _people(scope=scope, user=user)
    books, key = _target_book_of(scope=scope, people=people, year_from=starts["year"], today=today)
    book, cbook = books[TargetKind.SALES], books[TargetKind.COLLECTION]
    ckey = key if key is not None or cbook.has(None) else ("units",)
    cal = WorkingCalendar(starts["year"], period_bounds("year", starts["year"])[1])
    _add_targets(periods, book=book, key=key, scope=scope, cal=cal, today=today)
    _add_collection_targets(periods, book=cbook, key=ckey, scope=scope, cal=cal, today=today)
    compliance = _add_compliance(
        periods,
        people=people,
        starts=starts,
        now=now,
        cal=cal,
        today=today,
        stable_before=stable_before,
    )
    ranking = _ranking(
        scope=scope,
        per_owner=per_owner,
        people=people,
        book=book,
        cbook=cbook,
        compliance=compliance.get(period, {}),
        selected=selected,
    )
    units = _units(fetched.get("units", []), book=book, selected=selected)
    top_customers = _top_customers(fetched.get("top", []), scope=scope, user=user, selected=selected)
    breakdowns = _breakdowns(fetched.get("breakdowns", []), scope=scope)
    # Open receivables are a picture of today (the receivables module owns their ageing): shown as of today.
    overdue = _overdue(fetched.get("overdue", []), scope=scope, user=user, today=real_today)
    return Dashboard(
        scope=scope,
        today=real_today,
        period=period,
        periods=periods,
        trend=_trend(monthly, trend_from=trend_from, today=today),
        overdue=overdue,
        ranking=ranking,
        units=units,
        top_customers=top_customers,
        refreshed_at=refreshed_at,
        as_of=today,
        receivables_as_of=real_today,
        breakdowns=breakdowns,
    )


def _empty_periods(starts: dict[str, dt.date], *, current: bool = True) -> list[PeriodFigures]:
    if current:
        labels = {
            k: str(v)
            for k, v in {"month": _("This month"), "quarter": _("This quarter"), "year": _("This year")}.items()
        }
    else:
        labels = {k: period_label(k, s) for k, s in starts.items()}
    return [PeriodFigures(key=k, label=labels[k], start=s, end=period_bounds(k, s)[1]) for k, s in starts.items()]


CHANGE_FIELDS = ("sales", "quantity", "collected", "visits", "new_customers")


def _add_last_year(periods: list[PeriodFigures], monthly: dict[dt.date, dict], *, today: dt.date) -> None:
    """Each period's figures a year earlier up to the same point (whole months of the summary tables: a current,
    unfinished month is compared with the whole of last year's month), and the change."""
    for p in periods:
        before = _empty_month()
        start, end = add_months(p.start, -12), add_months(min(p.end, today), -12)
        for m in months_in(start, end):
            row = monthly.get(m)
            if row:
                for name in CHANGE_FIELDS:
                    before[name] += row[name] or 0
        p.last_year = {"start": start, "end": add_months(p.end, -12), "label": period_label(p.key, start), **before}
        p.change = {name: change_pct(getattr(p, name), before[name]) for name in CHANGE_FIELDS}


def _empty_month() -> dict:
    return {"sales": ZERO, "quantity": ZERO, "collected": ZERO, "visits": 0, "new_customers": 0}


def _monthly_query(*, scope: Scope, user: User, since: dt.date, until: dt.date, owners_in: tuple[dt.date, dt.date]):
    """The monthly figures of the scope from `since` to `until` and (company and unit) each salesperson's figures in
    `owners_in` (the selected period, for the ranking), as one query (see `_monthly_rows`); None for a customer."""
    if scope.level == "customer":
        return None
    base = scoped(PerformanceMonthly.objects, scope, user)
    rows = (
        base.filter(month__gte=since, month__lte=until)
        .values("month")
        .annotate(
            owner=Value(None, output_field=BigIntegerField()),
            sales=Sum("sales_amount"),
            quantity=Sum("sales_quantity"),
            collected=Sum("collected"),
            visits=Sum("visits"),
            new_customers=Sum("new_customers"),
        )
        .values_list("month", "owner", "sales", "quantity", "collected", "visits", "new_customers")
        .order_by()
    )
    if scope.level in ("company", "unit"):
        rows = rows.union(
            base.filter(month__gte=owners_in[0], month__lte=owners_in[1])
            .values("owner_id")
            .annotate(
                no_month=Value(None, output_field=DateField()),
                sales=Sum("sales_amount"),
                no_quantity=Value(None, output_field=DecimalField()),
                collected=Sum("collected"),
                visits=Sum("visits"),
                no_new=Value(None, output_field=IntegerField()),
            )
            .values_list("no_month", "owner_id", "sales", "no_quantity", "collected", "visits", "no_new")
            .order_by(),
            all=True,
        )
    return rows


def _monthly_rows(rows) -> tuple[dict[dt.date, dict], dict[int, dict]]:
    """The monthly figures by month, and each salesperson's figures in the selected period, from `_monthly_query`."""
    monthly, per_owner = {}, {}
    for month, owner, sales, quantity, collected, visits, new_customers in rows:
        if month is None:
            per_owner[owner] = {"owner_id": owner, "sales": sales, "collected": collected, "visits": visits}
        else:
            monthly[month] = {
                "month": month,
                "sales": sales,
                "quantity": quantity,
                "collected": collected,
                "visits": visits,
                "new_customers": new_customers,
            }
    return monthly, per_owner


def _monthly_figures(*, scope: Scope, user: User, since: dt.date, until: dt.date) -> tuple[dict[dt.date, dict], dict]:
    """A customer's monthly figures (one query on the summary; its collections and visits are read live, two
    more), and no salesperson's."""
    monthly = {
        m: {"sales": a, "quantity": q, "collected": ZERO, "visits": 0, "new_customers": 0}
        for m, a, q in scoped(CustomerSalesMonthly.objects, scope, user)
        .filter(month__gte=since, month__lte=until)
        .values_list("month")
        .annotate(a=Sum("amount"), q=Sum("quantity"))
        .order_by()
    }
    # One customer is small: its collections and visits are read live (two queries).
    for m, amount in (
        Payment.objects.filter(contract__customer_id=scope.customer.pk, paid_on__gte=since, paid_on__lte=until)
        .annotate(m=TruncMonth("paid_on"))
        .values_list("m")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        monthly.setdefault(m, _empty_month())["collected"] = amount
    for m, n in (
        ContactLog.objects.filter(
            customer_id=scope.customer.pk,
            kind=ContactKind.VISIT,
            happened_at__gte=_day_range(since)[0],
            happened_at__lt=_day_range(until)[1],
        )
        .annotate(m=TruncMonth("happened_at", tzinfo=local_tz()))
        .values_list("m")
        .annotate(n=Count("id"))
        .order_by()
    ):
        m = m.date() if isinstance(m, dt.datetime) else m
        monthly.setdefault(m, _empty_month())["visits"] = n
    return monthly, {}


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


def _target_book_of(
    *, scope: Scope, people: list[User], year_from: dt.date, today: dt.date
) -> tuple[dict[str, TargetBook], Any]:
    """The sales and collection targets of the scope and its people (one book per kind, one query), and the book
    key of the scope's own target."""
    person_ids = [p.pk for p in people]
    if scope.level == "company":
        books = target_books(year_from=year_from, year_to=today, company=True, user_ids=person_ids)
        return books, (None if books[TargetKind.SALES].has(None) else ("units",))
    if scope.level == "unit":
        books = target_books(year_from=year_from, year_to=today, unit_ids=scope.unit_ids, user_ids=person_ids)
        for book in books.values():
            for (k, ptype, start), amount in list(book._amounts.items()):
                if k in scope.unit_ids:
                    book.add("units", ptype, start, amount)
        return books, "units"
    if scope.level == "salesperson":
        books = target_books(year_from=year_from, year_to=today, user_ids=person_ids)
        return books, ("sp", scope.salesperson.pk)
    return {kind: TargetBook() for kind in TargetKind.values}, None


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


def _add_collection_targets(
    periods: list[PeriodFigures], *, book: TargetBook, key, scope: Scope, cal: WorkingCalendar, today: dt.date
) -> None:
    """Each period's collection target (回款目標), cash collected against it, and the pace (as for sales)."""
    for p in periods:
        p.collection_target = book.amount(key, p.key, p.start) if scope.level != "customer" else None
        if p.collection_target:
            p.collection_completion = pct(p.collected, p.collection_target)
            p.collection_expected = expected_by(p.collection_target, days=cal.working_days(p.start, p.end), as_of=today)
            p.collection_pace = pct(p.collected, p.collection_expected)


def _add_compliance(
    periods: list[PeriodFigures],
    *,
    people: list[User],
    starts: dict[str, dt.date],
    now: dt.datetime,
    cal: WorkingCalendar,
    today: dt.date,
    stable_before: dt.date | None,
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
        stable_before=stable_before,
    )
    for p in periods:
        due = sum(c.due_days for c in year_comp[p.key].values())
        on = sum(c.on_time for c in year_comp[p.key].values())
        p.compliance = pct(on, due)
    return year_comp


def _ranking(
    *,
    scope: Scope,
    per_owner: dict[int, dict],
    people: list[User],
    book: TargetBook,
    cbook: TargetBook,
    compliance: dict[int, Compliance],
    selected: PeriodFigures,
) -> list[dict]:
    """Ranking of salespeople in the selected period (`per_owner`: their figures in it, read with the monthly ones,
    and the people above)."""
    if scope.level not in ("company", "unit"):
        return []
    ranking = []
    for person in people:
        row = per_owner.get(person.pk, {})
        target = book.amount(("sp", person.pk), selected.key, selected.start)
        collection_target = cbook.amount(("sp", person.pk), selected.key, selected.start)
        sales = row.get("sales") or ZERO
        collected = row.get("collected") or ZERO
        ranking.append(
            {
                "id": person.pk,
                "name": person.get_full_name(),
                "sales": sales,
                "target": target,
                "completion": pct(sales, target),
                "collected": collected,
                "collection_target": collection_target,
                "collection_completion": pct(collected, collection_target),
                "visits": row.get("visits") or 0,
                "compliance": compliance[person.pk].rate if person.pk in compliance else None,
            }
        )
    ranking.sort(key=lambda r: (-r["sales"], r["name"]))
    for n, row in enumerate(ranking, start=1):
        row["rank"] = n
    return ranking


def _units_query(*, scope: Scope, user: User, selected: PeriodFigures):
    """Units (company level) with their sales in the selected period: (id, name, sales) in the units' order."""
    if scope.level != "company":
        return None
    per_unit = (
        PerformanceMonthly.objects.visible_to(user)
        .filter(unit_id=OuterRef("pk"), month__gte=selected.start, month__lte=selected.end)
        .values("unit_id")
        .annotate(s=Sum("sales_amount"))
        .values("s")
        .order_by()
    )
    return (
        SalesUnit.objects.order_by("code")
        .annotate(period_sales=Subquery(per_unit))
        .values_list("id", "name", "period_sales")
    )


def _units(rows, *, book: TargetBook, selected: PeriodFigures) -> list[dict]:
    """Units (company level): sales per unit in the selected period (`_units_query`'s rows) against their target."""
    units = []
    for pk, name, period_sales in rows:
        target = book.amount(pk, selected.key, selected.start)
        sales = period_sales or ZERO
        units.append({"id": pk, "name": name, "sales": sales, "target": target, "completion": pct(sales, target)})
    return units


TOP_FIELDS = ("customer_id", "customer__name", "customer__short_name", "amount", "quantity")


def _top_customers_query(*, scope: Scope, selected: PeriodFigures):
    """The precomputed top ten of the scope in the selected period (None for a customer)."""
    if scope.level == "customer":
        return None
    summary = TopCustomerSummary.objects.filter(period_type=selected.key, period_start=selected.start)
    if scope.level == "company":
        summary = summary.filter(unit__isnull=True, owner__isnull=True)
    elif scope.level == "unit" and len(scope.unit_ids) == 1:
        summary = summary.filter(unit_id=scope.unit_ids[0], owner__isnull=True)
    elif scope.level == "salesperson":
        summary = summary.filter(owner_id=scope.salesperson.pk, unit__isnull=True)
    else:
        summary = summary.none()
    return summary.order_by("rank").values_list(*TOP_FIELDS)


def _top_customers(rows, *, scope: Scope, user: User, selected: PeriodFigures) -> list[dict]:
    """Top customers in the selected period: from the precomputed top ten (`rows`), or live for a manager of
    several units or when the summary predates the period (one more query)."""
    if scope.level == "customer":
        return []
    if not rows:
        rows = list(
            scoped(CustomerSalesMonthly.objects, scope, user)
            .filter(month__gte=selected.start, month__lte=selected.end)
            .values("customer_id", "customer__name", "customer__short_name")
            .annotate(amount=Sum("amount"), quantity=Sum("quantity"))
            .order_by("-amount", "customer_id")
            .values_list(*TOP_FIELDS)[:10]
        )
    return [
        {
            "id": customer_id,
            "name": short_name or name,
            "amount": amount or ZERO,
            "quantity": quantity or ZERO,
        }
        for customer_id, name, short_name, amount, quantity in rows
    ]


BREAKDOWN_ROWS = 10


def _breakdowns_query(*, scope: Scope, user: User, selected: PeriodFigures, today: dt.date):
    """The breakdown rows of the selected period and the same period last year, as `_breakdown_top` reads them
    ((sql, params); None for a customer, or when the scope can see none)."""
    if scope.level == "customer":
        return None
    end = min(selected.end, today)
    ly_start, ly_end = add_months(selected.start, -12), add_months(end, -12)
    current = Q(month__gte=selected.start, month__lte=end)
    level = SalesBreakdownMonthly.objects.all()
    if scope.level == "company" and user.is_company_wide:
        level = level.filter(unit__isnull=True, owner__isnull=True)
    elif scope.level in ("company", "unit"):  # a manager's units, or one unit
        level = level.filter(unit__isnull=False, owner__isnull=True)
    else:
        level = level.filter(owner__isnull=False)
    rows = (
        scoped(level, scope, user)
        .filter(current | Q(month__gte=ly_start, month__lte=ly_end))
        .values("dimension", "key")
        .annotate(
            name=Max("label"),
            now=Sum("amount", filter=current),
            qty=Sum("quantity", filter=current),
            before=Sum("amount", filter=~current),
        )
        .order_by()
    )
    return _breakdown_top(rows)


def _breakdowns(rows, *, scope: Scope) -> list[dict]:
    """Sales of the selected period by product, region, customer tier, settlement method and sales method, each
    value beside the same period last year (`rows`: `_breakdowns_query`'s, one query on the breakdown summary; a
    dimension the sales app does not record yet is listed as such). The ten largest values of each dimension, and
    the dimension's total."""
    if scope.level == "customer":
        return []
    by_dim: dict[str, list[dict]] = {}
    totals: dict[str, tuple[Decimal, Decimal, int]] = {}
    for dimension, key, name, now, qty, before, total, total_ly, count, any_now, any_ly in rows:
        # The totals as summing the values in Python from zero would give them: a plain 0 when none is other than 0.
        total, total_ly = (total if any_now else ZERO), (total_ly if any_ly else ZERO)
        by_dim.setdefault(dimension, []).append(
            {"key": key, "label": name, "amount": now, "quantity": qty, "last_year": before}
        )
        totals[dimension] = (total, total_ly, count)
    tiers = dict(CustomerTier.choices)
    not_recorded = str(_("Not recorded"))
    out = []
    for dim in breakdown_dimensions():
        values = by_dim.get(dim.key, [])
        for v in values:
            v["amount"], v["last_year"] = v["amount"] or ZERO, v["last_year"] or ZERO
            v["quantity"] = v["quantity"] or ZERO
            v["change"] = change_pct(v["amount"], v["last_year"])
            if dim.key == "tier":
                v["label"] = str(tiers.get(v["key"], v["key"]))
            v["label"] = v["label"] or not_recorded
        values.sort(key=lambda v: (-v["amount"], -v["last_year"], v["label"]))
        total, total_ly, count = totals.get(dim.key, (ZERO, ZERO, 0))
        out.append(
            {
                "key": dim.key,
                "label": str(dim.label),
                "available": dim.available,
                "rows": values[:BREAKDOWN_ROWS],
                "more": max(0, count - BREAKDOWN_ROWS),
                "total": total,
                "last_year": total_ly,
                "change": change_pct(total, total_ly),
            }
        )
    return out


def _breakdown_top(rows):
    """The SQL (and params) of the breakdown rows (`rows`: one per dimension and value) that can be among the ten
    largest of their dimension (ranked by this period's amount, then last year's; ties at the tenth place all kept,
    for the caller's order by label), each with its dimension's totals, number of values, and whether any value is
    other than zero: the database ranks and sums, so a dimension of thousands of products sends ten rows, not
    thousands. None when `rows` can match nothing."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    query = f"""
        SELECT "dimension", "key", "name", "now", "qty", "before", total, total_ly, n, any_now, any_ly FROM (
            SELECT t.*,
                RANK() OVER (
                    PARTITION BY "dimension" ORDER BY COALESCE("now", 0) DESC, COALESCE("before", 0) DESC
                ) AS rk,
                SUM(COALESCE("now", 0)) OVER w AS total,
                SUM(COALESCE("before", 0)) OVER w AS total_ly,
                COUNT(*) OVER w AS n,
                BOOL_OR(COALESCE("now", 0) <> 0) OVER w AS any_now,
                BOOL_OR(COALESCE("before", 0) <> 0) OVER w AS any_ly
            FROM ({sql}) t
            WINDOW w AS (PARTITION BY "dimension")
        ) ranked
        WHERE rk <= %s"""  # noqa: S608
    return query, (*params, BREAKDOWN_ROWS)


def _overdue_query(*, scope: Scope, user: User, today: dt.date):
    """Open receivables by age bucket from the summary of `today` (None for a customer: read live)."""
    if scope.level == "customer":
        return None
    return (
        scoped(ReceivableAgeSummary.objects, scope, user)
        .filter(as_of=today)
        .values("bucket")
        .annotate(amount=Sum("amount"), contracts=Sum("contracts"))
        .values_list("bucket", "amount", "contracts")
        .order_by()
    )


def _overdue(rows, *, scope: Scope, user: User, today: dt.date) -> list[dict]:
    """Open receivables by age, per shipment (`rows`: `_overdue_query`'s; read live when the summary has no rows
    for today)."""
    policy = receivables_selectors.policy_for(today)
    by_bucket = {bucket: {"amount": amount, "contracts": contracts} for bucket, amount, contracts in rows}
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


def dashboard_cache_key(
    *, user: User, period: str = "month", unit_id=None, salesperson_id=None, customer_id=None, on=None
) -> str | None:
    """The cache key of the caller's dashboard (see dashboard_cached), or None when the cache is off. One query:
    the moment the summary tables were last rebuilt. The language is part of it: the scope's and the periods'
    labels are written in the reader's language when the dashboard is computed."""
    if not getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 120):
        return None
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
            on,
            refreshed.timestamp() if refreshed else "",
            timezone.localdate(),
            translation.get_language(),  # the labels are in the reader's language
        )
    )
    return "reports:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()


def dashboard_cached(
    *, user: User, period: str = "month", unit_id=None, salesperson_id=None, customer_id=None, on=None, key=None
) -> Dashboard:
    """dashboard_data behind the cache, for the pages and the API. The key holds the user (and their role and
    unit, so a move takes effect at once), the drill-down, and the moment the summary tables were last rebuilt,
    so a refresh is visible immediately; the live parts (report compliance, targets) may lag by at most
    settings.REPORTS_DASHBOARD_CACHE_SECONDS (default 120 s; 0 disables the cache). One query on a hit (none
    when the caller passes the key it already made with dashboard_cache_key)."""
    seconds = getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 120)
    kwargs = {
        "period": period,
        "unit_id": unit_id,
        "salesperson_id": salesperson_id,
        "customer_id": customer_id,
        "on": on,
    }
    if not seconds:
        return dashboard_data(user=user, **kwargs)
    key = key or dashboard_cache_key(user=user, **kwargs)
    data = cache.get(key)
    if data is None:
        data = dashboard_data(user=user, **kwargs)
        cache.set(key, data, seconds)
    return data
