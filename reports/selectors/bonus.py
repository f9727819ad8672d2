"""The year-end bonus worksheet (年終獎勵): every salesperson's five factors, weighted score and share of the year-end
part of the market service fund. Measured factors come from the system, judged ones from the manager's scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from accounts.models import Role, User
from commission.selectors import fund_accrued_in
from core.money import round_money
from sales.models import SOLD_STATUSES, Contract

from .. import rules
from ..calendar import local_tz
from ..models import BonusScore, BonusWeights, TargetKind
from ..permissions import can_score_bonus
from ._common import ZERO
from .evaluation import year_review_quality
from .targets import returned_in, target_books


@dataclass
class BonusRow:
    person: User
    sales: Decimal = ZERO
    target: Decimal | None = None
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    sales_measured_by: str = "target"  # "target": sales ÷ own target; "best": sales ÷ the best seller's sales
    score: Decimal = ZERO
    share: rules.Share | None = None
    note: str = ""
    scored_by: str = ""
    can_score: bool = False
    # The year's evaluation reviews (judged items without the profit contribution, see year_review_quality), the
    # place in the unit they give, and where the professional-quality factor came from: "manager" (scored on this
    # worksheet), "reviews" (the review score, when the manager scored none) or "" (neither: it counts 0).
    review: Decimal | None = None
    unit_rank: tuple[int, int] | None = None
    quality_from: str = ""
    manager_quality: Decimal | None = None

    @property
    def missing(self) -> list[str]:
        return [name for name in ("quality", "satisfaction", "market_share") if self.scores.get(name) is None]


@dataclass
class Worksheet:
    year: int
    as_of: dt.date
    weights: BonusWeights
    accrued: Decimal
    pool: Decimal
    company_sales: Decimal
    company_target: Decimal | None
    company_score: Decimal | None
    rows: list[BonusRow]
    total_score: Decimal
    distributed: Decimal
    extra_cents: int


def weights_for(year: int) -> BonusWeights:
    """The weights in force on 31 December of `year`, or the defaults (unsaved) when the admin set none."""
    return BonusWeights.objects.in_force(dt.date(year, 12, 31)) or BonusWeights(effective_from=dt.date(year, 1, 1))


def bonus_worksheet(*, viewer: User, year: int, now: dt.datetime | None = None) -> Worksheet:
    """The worksheet of `year` (up to today for the current year) in nine queries. The pool is shared among ALL
    active salespeople of the company; a manager sees the rows of their own people.

    The unit's ranking feeds it: each salesperson's review score of the year (the evaluation reviews' judged items)
    ranks them in their unit and is their professional-quality (業務素質) factor unless the manager scores that
    factor on the worksheet."""
    today = (now or timezone.now()).astimezone(local_tz()).date()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    as_of = min(end, today)
    weights = weights_for(year)
    people = list(
        User.objects.filter(role=Role.SALESPERSON, is_active=True)
        .select_related("unit")
        .order_by("unit_id", "full_name", "id")
    )
    ids = [p.pk for p in people]
    sales = dict(
        Contract.objects.filter(owner_id__in=ids, status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=as_of)
        .values_list("owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    # Returns (退貨) approved in the year lower the year's sales (targets.returned_in: the month of approval).
    returned = dict(
        returned_in(start=start, end=as_of).values_list("contract__owner_id").annotate(s=Sum("amount")).order_by()
    )
    for owner_id in ids:
        if owner_id in returned:
            sales[owner_id] = (sales.get(owner_id) or ZERO) - returned[owner_id]
    company_sales = (
        Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=as_of).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    ) - sum(returned.values(), ZERO)
    book = target_books(year_from=start, year_to=end, company=True, user_ids=ids, kinds=(TargetKind.SALES,))[
        TargetKind.SALES
    ]
    company_target = book.amount(None, "year", start) if book.has(None) else book.amount(("units",), "year", start)
    company_score = rules.capped_percent(company_sales, company_target)
    best = max((sales.get(pid) or ZERO for pid in ids), default=ZERO)
    scored = {s.salesperson_id: s for s in BonusScore.objects.filter(year=year).select_related("scored_by")}
    reviews = year_review_quality(user_ids=ids, year=year)
    ranks = rules.unit_ranks(reviews, {p.pk: p.unit_id for p in people})
    rows = []
    for person in people:
        row = BonusRow(person=person, sales=sales.get(person.pk) or ZERO)
        row.target = book.amount(("sp", person.pk), "year", start)
        if row.target:
            sales_score = rules.capped_percent(row.sales, row.target)
        else:
            row.sales_measured_by = "best"
            sales_score = rules.capped_percent(row.sales, best) if best else None
        mine = scored.get(person.pk)
        row.review, row.unit_rank = reviews.get(person.pk), ranks.get(person.pk)
        quality = row.manager_quality = mine.quality if mine else None
        if quality is not None:
            row.quality_from = "manager"
        elif row.review is not None:
            quality, row.quality_from = row.review, "reviews"
        row.scores = {
            "sales": sales_score,
            "quality": quality,
            "satisfaction": mine.satisfaction if mine else None,
            "market_share": mine.market_share if mine else None,
            "company": company_score,
        }
        row.note, row.scored_by = (mine.note, str(mine.scored_by)) if mine else ("", "")
        row.score = rules.weighted_score(row.scores, weights.weights)
        row.can_score = can_score_bonus(viewer, person)
        rows.append(row)
    accrued = fund_accrued_in(start=start, end=end)
    pool = round_money(accrued * weights.fund_share_percent / 100)
    shares = rules.distribute(pool, {row.person.pk: row.score for row in rows})
    for row in rows:
        row.share = shares[row.person.pk]
    visible = rows if viewer.is_company_wide else [r for r in rows if r.person.unit_id in viewer.team_unit_ids]
    return Worksheet(
        year=year,
        as_of=as_of,
        weights=weights,
        accrued=accrued,
        pool=pool,
        company_sales=company_sales,
        company_target=company_target,
        company_score=company_score,
        rows=visible,
        total_score=sum((r.score for r in rows), ZERO),
        distributed=sum((s.amount for s in shares.values()), ZERO),
        extra_cents=sum(1 for s in shares.values() if s.extra_cent),
    )
