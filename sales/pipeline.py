"""The pipeline: quotes as a board by stage, and which drag is a workflow action.

Stages follow the quote's workflow: prospect (a draft) → awaiting approval (submitted to the manager) → quoted
(approved, or sent to the customer) → accepted (by the customer) → contract (a live contract was made from it).
A declined quote leaves the board (the list view shows it).

A move from one stage to another is allowed only where one transition of `workflows.QUOTE` leads there from the
quote's state and the user may take it; transitions that need a reason (reject) are not drags. No second copy of
"who may do what": the board asks the workflow table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.money import ZERO
from core.workflow import Transition

from .models import Contract, ContractStatus, Quote, QuoteStatus
from .workflows import QUOTE

S = QuoteStatus

PROSPECT, AWAITING, QUOTED, ACCEPTED, CONTRACT = "prospect", "awaiting_approval", "quoted", "accepted", "contract"
STAGES: tuple[tuple[str, object], ...] = (
    (PROSPECT, _("Prospect")),
    (AWAITING, _("Awaiting approval")),
    (QUOTED, _("Quoted")),
    (ACCEPTED, _("Accepted")),
    (CONTRACT, _("Contract")),
)
STAGE_KEYS = tuple(k for k, _label in STAGES)
_BY_STATUS: dict[str, str] = {
    S.DRAFT: PROSPECT,
    S.IN_REVIEW: AWAITING,
    S.APPROVED: QUOTED,
    S.SENT: QUOTED,
    S.ACCEPTED: ACCEPTED,
}
_STATUSES = {stage: [s for s, st in _BY_STATUS.items() if st == stage] for stage in STAGE_KEYS}
# An action whose stage is not its target state's: making a contract leaves the quote "accepted" but puts it in the
# contract column.
_ACTION_STAGE = {"contract": CONTRACT}
CARDS_PER_COLUMN = 60  # a page of cards per column (the totals count every quote)


def stage_of(quote: Quote) -> str | None:
    if getattr(quote, "has_contract", False):
        return CONTRACT
    return _BY_STATUS.get(quote.status)


def _transition_stage(t: Transition) -> str | None:
    return _ACTION_STAGE.get(t.action) or _BY_STATUS.get(t.target)


def move_transition(user: User, quote: Quote, stage: str) -> Transition | None:
    """The one workflow transition that moves `quote` to `stage` for `user` now, or None."""
    here = stage_of(quote)
    if here == CONTRACT or stage == here:
        return None
    for t in QUOTE.actions_for(user, quote):
        if not t.needs_reason and _transition_stage(t) == stage:
            return t
    return None


def move_targets(user: User, quote: Quote) -> list[str]:
    """The stages `user` may drag `quote` to (no queries: the workflow's "who may" reads the loaded rows)."""
    return [s for s in STAGE_KEYS if move_transition(user, quote, s) is not None]


def _live_contract():
    return Exists(Contract.objects.filter(quote=OuterRef("pk")).exclude(status=ContractStatus.CANCELLED))


def with_stage(qs: QuerySet[Quote]) -> QuerySet[Quote]:
    return qs.annotate(has_contract=_live_contract())


def _stage_q(stage: str) -> Q:
    if stage == CONTRACT:
        return Q(has_contract=True)
    return Q(status__in=_STATUSES[stage], has_contract=False)


@dataclass
class Column:
    key: str
    label: object
    count: int = 0
    total: Decimal = ZERO
    cards: list[Quote] = field(default_factory=list)


@dataclass
class Filters:
    owner: int | None = None
    month: dt.date | None = None  # expected close month (its first day)
    stage: str | None = None
    q: str = ""


def pipeline_quotes(*, user: User, filters: Filters) -> QuerySet[Quote]:
    """The quotes on `user`'s pipeline (salespeople: their own; managers: their unit's; company-wide: all)."""
    qs = with_stage(Quote.objects.visible_to(user)).exclude(status=S.DECLINED)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.month:
        qs = qs.filter(expected_close=filters.month)
    if filters.stage in STAGE_KEYS:
        qs = qs.filter(_stage_q(filters.stage))
    if filters.q:
        qs = qs.filter(
            Q(number__icontains=filters.q) | Q(customer__name__icontains=filters.q) | Q(title__icontains=filters.q)
        )
    return qs


def board(*, user: User, filters: Filters) -> list[Column]:
    """The columns with their counts, totals and first cards: two queries whatever the number of quotes."""
    qs = pipeline_quotes(user=user, filters=filters)
    columns = {key: Column(key, label) for key, label in STAGES}
    grouped = qs.values("status", "has_contract")  # type: ignore[misc]  # an annotation (django-stubs lag)
    totals = grouped.annotate(n=Count("pk"), total=Sum("amount")).order_by()
    for row in totals:
        key = CONTRACT if row["has_contract"] else _BY_STATUS.get(row["status"])
        if key:
            columns[key].count += row["n"]
            columns[key].total += row["total"] or ZERO
    ranked = (
        qs.select_related("customer", "owner")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status"), F("has_contract")],
                order_by=[F("expected_close").asc(nulls_last=True), F("updated_at").desc()],
            )
        )
        .filter(rank__lte=CARDS_PER_COLUMN)  # type: ignore[misc]  # a window annotation (django-stubs lags)
        .order_by(F("expected_close").asc(nulls_last=True), "-updated_at")
    )
    for quote in ranked:
        key = stage_of(quote)
        if key:
            quote.targets = move_targets(user, quote)  # type: ignore[attr-defined]  # for the template
            columns[key].cards.append(quote)
    return list(columns.values())
