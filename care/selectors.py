"""Care reads: the policy in force, the care board, a customer's care card, the win-back list, trends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import (
    Case as SqlCase,
)
from django.utils import timezone

from accounts.models import User
from customers.models import Customer, MemberLevel
from customers.selectors import current_members_q, member_level_of, membership_state
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, ContractLine

from . import rules
from .models import CarePolicy, Case, CaseStatus, Checkup, CustomerLifecycle, LifecycleStage, Referral


def care_policy(day: dt.date) -> CarePolicy:
    return CarePolicy.objects.in_force(day) or CarePolicy(
        effective_from=day,
        member_checkup_days=list(rules.DEFAULT_MEMBER_DAYS),
        ordinary_checkup_days=list(rules.DEFAULT_ORDINARY_DAYS),
    )


def open_cases(user: User) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(
        status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED]
    )


def due_checkups(user: User, *, today: dt.date) -> QuerySet[Checkup]:
    return Checkup.objects.visible_to(user).filter(done_at__isnull=True, due_on__lte=today)


@dataclass(frozen=True)
class Board:
    checkups: list[Checkup]
    cases: list[Case]
    escalated: list[Case]
    satisfaction: Decimal | None
    scored: int


def care_board(user: User, *, today: dt.date | None = None) -> Board:
    today = today or timezone.localdate()
    checkups = list(
        due_checkups(user, today=today)
        .select_related("customer", "shipment__contract", "owner")
        .order_by("due_on", "id")[:100]
    )
    cases = list(open_cases(user).select_related("customer", "owner").order_by("due_at", "id")[:100])
    escalated = [c for c in cases if c.escalated_at is not None]
    since = today - dt.timedelta(days=90)
    agg = (
        Checkup.objects.visible_to(user)
        .filter(done_at__date__gte=since, score__isnull=False)
        .aggregate(avg=Avg("score"), n=Count("id"))
    )
    avg = Decimal(str(agg["avg"])).quantize(Decimal("0.01")) if agg["avg"] is not None else None
    return Board(checkups=checkups, cases=cases, escalated=escalated, satisfaction=avg, scored=agg["n"])


@dataclass(frozen=True)
class CustomerCare:
    customer: Customer
    lifecycle: CustomerLifecycle | None
    checkups: list[Checkup]
    cases: list[Case]
    referral: Referral | None
    referred: list[Referral]
    suggestions: list[tuple[str, str, int]]  # (product code, name, customers who bought both)
    average_score: Decimal | None
    benefits: Benefits | None = None


def related_products(customer: Customer, *, limit: int = 5) -> list[tuple[str, str, int]]:
    """Products often bought with what this customer buys (from the company's own sales), that it has not
    bought: each with how many customers bought both."""
    sold = ContractLine.objects.filter(contract__status__in=SOLD_STATUSES)
    mine = set(sold.filter(contract__customer=customer).values_list("product_id", flat=True))
    if not mine:
        return []
    peers = sold.filter(product_id__in=mine).exclude(contract__customer=customer).values("contract__customer_id")
    rows = (
        sold.filter(contract__customer_id__in=peers)
        .exclude(product_id__in=mine)
        .values("product__code", "product__name")
        .annotate(n=Count("contract__customer_id", distinct=True))
        .order_by("-n", "product__code")[:limit]
    )
    return [(r["product__code"], r["product__name"], r["n"]) for r in rows]


def customer_care(customer: Customer) -> CustomerCare:
    checkups = list(Checkup.objects.filter(customer=customer).select_related("owner").order_by("-due_on", "-id")[:50])
    scores = [c.score for c in checkups if c.score is not None]
    return CustomerCare(
        customer=customer,
        lifecycle=CustomerLifecycle.objects.filter(customer=customer).first(),
        checkups=checkups,
        cases=list(Case.objects.filter(customer=customer).select_related("owner").order_by("-created_at")[:50]),
        referral=Referral.objects.filter(customer=customer).select_related("referrer").first(),
        referred=list(Referral.objects.filter(referrer=customer).select_related("customer")[:50]),
        suggestions=related_products(customer),
        average_score=(Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01")) if scores else None,
        benefits=member_benefits(customer, today=timezone.localdate()),
    )


def winback_list(user: User) -> QuerySet[CustomerLifecycle]:
    """Lapsed customers the user may see, longest lapsed first (dormant ones are listed after)."""
    visible = Customer.objects.visible_to(user).values("pk")
    return (
        CustomerLifecycle.objects.filter(
            customer_id__in=visible, stage__in=[LifecycleStage.LAPSED, LifecycleStage.DORMANT]
        )
        .select_related("customer__owner")
        .order_by("stage", "since", "customer_id")
    )


@dataclass(frozen=True)
class ReferrerRow:
    referrer: Customer
    referrals: int
    value: Decimal


LINE_TOTAL = ExpressionWrapper(
    F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=18, decimal_places=2)
)


def referrer_ranking(user: User, *, limit: int = 50) -> list[ReferrerRow]:
    """Who brings us customers: referral counts and the sold value of the customers they referred (2 queries)."""
    rows = list(
        Customer.objects.visible_to(user)
        .annotate(n=Count("referrals_made", distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:limit]
    )
    values = dict(
        ContractLine.objects.filter(
            contract__status__in=SOLD_STATUSES, contract__customer__referral__referrer__in=[r.pk for r in rows]
        )
        .values_list("contract__customer__referral__referrer")
        .annotate(v=Sum(LINE_TOTAL))
        .values_list("contract__customer__referral__referrer", "v")
    )
    return [ReferrerRow(referrer=r, referrals=r.n, value=values.get(r.pk) or Decimal("0")) for r in rows]


def satisfaction_by(user: User, *, since: dt.date, by: str) -> list[dict]:
    """Average satisfaction per salesperson ("owner") or per product category ("category") since a day."""
    field = {"owner": "owner__full_name", "category": "shipment__lines__contract_line__product__category"}[by]
    return list(
        Checkup.objects.visible_to(user)
        .filter(score__isnull=False, done_at__date__gte=since)
        .values(label=F(field))
        .annotate(avg=Avg("score"), n=Count("id", distinct=True))
        .order_by("-n")[:50]
    )


# --- members vs ordinary customers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierStats:
    tier: str  # member (current) / lapsed_member (renewal date passed) / ordinary
    customers: int
    sales: Decimal
    orders: int
    buyers: int
    satisfaction: Decimal | None
    churned: int  # lapsed + dormant
    tracked: int  # customers with a lifecycle

    @property
    def orders_per_buyer(self) -> Decimal | None:
        return (Decimal(self.orders) / self.buyers).quantize(Decimal("0.01")) if self.buyers else None

    @property
    def churn_percent(self) -> Decimal | None:
        return (Decimal(100 * self.churned) / self.tracked).quantize(Decimal("0.1")) if self.tracked else None


TIER_GROUPS = ("member", "lapsed_member", "ordinary")


def _tier_group(prefix: str, today: dt.date) -> SqlCase:
    """Current members, members whose membership has lapsed (renewal date before today), ordinary customers."""
    return SqlCase(
        When(current_members_q(today=today, prefix=prefix), then=Value("member")),
        When(**{f"{prefix}tier": "member"}, then=Value("lapsed_member")),
        default=Value("ordinary"),
        output_field=CharField(),
    )


def member_statistics(user: User, *, since: dt.date, until: dt.date, today: dt.date | None = None) -> list[TierStats]:
    """Current members, lapsed members and ordinary customers the user may see: sales and orders (contracts signed
    in the period, net of the returns approved in it), average check-up score (done in the period) and churn
    (lapsed + dormant lifecycle share now). The group is the customer's membership today. One query each."""
    today = today or timezone.localdate()
    visible = Customer.objects.visible_to(user)
    ids = visible.values("pk")
    people = dict(
        visible.annotate(g=_tier_group("", today)).values_list("g").annotate(n=Count("id")).values_list("g", "n")
    )
    sold = {
        r["g"]: r
        for r in Contract.objects.filter(
            customer_id__in=ids, status__in=SOLD_STATUSES, signed_on__gte=since, signed_on__lte=until
        )
        .annotate(g=_tier_group("customer__", today))
        .values("g")
        .annotate(sales=Sum("amount"), orders=Count("id"), buyers=Count("customer_id", distinct=True))
    }
    returned = dict(
        sales_selectors.approved_returns()
        .filter(contract__customer_id__in=ids, decided_on__gte=since, decided_on__lte=until)
        .filter(contract__status__in=SOLD_STATUSES)
        .annotate(g=_tier_group("contract__customer__", today))
        .values_list("g")
        .annotate(s=Sum("amount"))
        .values_list("g", "s")
    )
    scores = dict(
        Checkup.objects.filter(
            customer_id__in=ids, score__isnull=False, done_at__date__gte=since, done_at__date__lte=until
        )
        .annotate(g=_tier_group("customer__", today))
        .values_list("g")
        .annotate(avg=Avg("score"))
        .values_list("g", "avg")
    )
    churn = {
        r["g"]: r
        for r in CustomerLifecycle.objects.filter(customer_id__in=ids)
        .annotate(g=_tier_group("customer__", today))
        .values("g")
        .annotate(
            churned=Count("id", filter=Q(stage__in=[LifecycleStage.LAPSED, LifecycleStage.DORMANT])),
            tracked=Count("id"),
        )
    }
    out = []
    for tier in TIER_GROUPS:
        s: Any = sold.get(tier, {})
        c: Any = churn.get(tier, {})
        avg = scores.get(tier)
        if tier == "lapsed_member" and not people.get(tier):
            continue  # no lapsed members: no row
        out.append(
            TierStats(
                tier=tier,
                customers=people.get(tier, 0),
                sales=(s.get("sales") or Decimal("0")) - (returned.get(tier) or Decimal("0")),
                orders=s.get("orders", 0),
                buyers=s.get("buyers", 0),
                satisfaction=Decimal(str(avg)).quantize(Decimal("0.01")) if avg is not None else None,
                churned=c.get("churned", 0),
                tracked=c.get("tracked", 0),
            )
        )
    return out


@dataclass(frozen=True)
class Benefits:
    level: MemberLevel | None
    visits_used: int  # check-ups done and cases opened this calendar year
    visits_left: int | None
    membership: str | None = None  # customers.selectors.membership_state: active, renewal_due, lapsed
    renews_on: dt.date | None = None
    since: dt.date | None = None


def member_benefits(customer: Customer, *, today: dt.date) -> Benefits:
    """The customer's member level and the free service visits it has used this year (check-ups done and cases
    opened since 1 January count as visits). A lapsed membership shows as such, with no benefits."""
    state = membership_state(customer, today=today)
    level = member_level_of(customer, on=today)
    if level is None:
        return Benefits(
            level=None,
            visits_used=0,
            visits_left=None,
            membership=state,
            renews_on=customer.member_renews_on,
            since=customer.member_since,
        )
    start = today.replace(month=1, day=1)
    used = (
        Checkup.objects.filter(customer=customer, done_at__date__gte=start, done_at__date__lte=today).count()
        + Case.objects.filter(customer=customer, created_at__date__gte=start, created_at__date__lte=today).count()
    )
    return Benefits(
        level=level,
        visits_used=used,
        visits_left=max(0, level.free_service_visits - used),
        membership=state,
        renews_on=customer.member_renews_on,
        since=customer.member_since,
    )
