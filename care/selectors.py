"""Care reads: the policy in force, the care board, a customer's care card, the win-back list, trends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from sales.models import SOLD_STATUSES, ContractLine

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
