"""Business rules of the reports app: pure functions with their numbers from a policy row (no ORM).

Evaluation review: the manager's scored items, weighted by the admin's weights (review_weights_error,
review_weighted_score).

Year-end bonus (年終獎勵): each salesperson's score is the weighted sum of the rule book's five factors (each scored
0–100); the year-end part of the market service fund is shared in proportion to the scores.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
FACTORS = ("sales", "quality", "satisfaction", "market_share", "company")


def weights_error(weights: Mapping[str, Decimal]) -> str | None:
    """Why these weights cannot be used (a weight outside 0–100, or a total other than 100), or None."""
    for name in FACTORS:
        w = weights.get(name)
        if w is None or w < 0 or w > 100:
            return name
    if sum((weights[name] for name in FACTORS), Decimal("0")) != 100:
        return "total"
    return None


def weighted_score(scores: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Decimal:
    """Σ weight × score ÷ 100, to two decimals (half up); a factor not scored counts 0."""
    total = sum(((scores.get(n) or Decimal("0")) * weights[n] for n in FACTORS), Decimal("0")) / 100
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def capped_percent(actual: Decimal, whole: Decimal | None, cap: Decimal = Decimal("100")) -> Decimal | None:
    """actual ÷ whole in %, two decimals, at most `cap` (a measured factor's score); None without a whole."""
    if not whole:
        return None
    return min(cap, (actual * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Share:
    amount: Decimal
    exact: Decimal  # pool × score ÷ Σ scores before rounding
    extra_cent: bool  # received one of the remainder's cents


def distribute(pool: Decimal, scores: Mapping[Hashable, Decimal]) -> dict[Hashable, Share]:
    """Share `pool` (in cents) in proportion to `scores` so that the shares add up to the pool exactly.

    Each share is first rounded DOWN to the cent; the cents left over (fewer than the number of people) go one
    each to the largest discarded fractions (the largest-remainder method), ties to the higher score, then to the
    smaller key. Nobody gets a cent more than their exact share rounded up, nor a cent less than rounded down.
    A score of 0 (or less) gets nothing; with no positive score nothing is distributed."""
    pool = pool.quantize(CENT, rounding=ROUND_DOWN)
    positive = {k: s for k, s in scores.items() if s > 0}
    total = sum(positive.values(), Decimal("0"))
    out = {k: Share(amount=Decimal("0.00"), exact=Decimal("0"), extra_cent=False) for k in scores}
    if total <= 0 or pool <= 0:
        return out
    exact = {k: pool * s / total for k, s in positive.items()}
    floor = {k: v.quantize(CENT, rounding=ROUND_DOWN) for k, v in exact.items()}
    cents_left = int((pool - sum(floor.values(), Decimal("0"))) / CENT)
    order = sorted(positive, key=lambda k: (-(exact[k] - floor[k]), -positive[k], str(k)))
    lucky = set(order[:cents_left])
    for k in positive:
        out[k] = Share(amount=floor[k] + (CENT if k in lucky else 0), exact=exact[k], extra_cent=k in lucky)
    return out


# --- evaluation review -----------------------------------------------------------------------------------------

HUNDRED = Decimal("100")


def review_weights_error(weights: Mapping[str, Decimal]) -> str:
    """Why these review weights cannot be used ("" when they can): none negative, and they sum to 100 %."""
    if any(w is None or w < 0 for w in weights.values()):
        return _("Each weight must be zero or more.")
    total = sum(weights.values(), Decimal(0))
    if total != HUNDRED:
        return _("The weights must sum to 100 %% (now %(total)s %%).") % {"total": total}
    return ""


def review_weighted_score(scores: Mapping[str, int], weights: Mapping[str, Decimal]) -> Decimal | None:
    """Σ score × weight ÷ 100 over the scored items, to two decimals (half up); None when an item is unscored."""
    if not scores or any(item not in scores or scores[item] is None for item in weights):
        return None
    total = sum((Decimal(scores[item]) * weights[item] for item in weights), Decimal(0)) / HUNDRED
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def review_quality_score(
    scores: Mapping[str, int | None], weights: Mapping[str, Decimal], *, leave_out: frozenset[str]
) -> Decimal | None:
    """The weighted score of the judged items except `leave_out` (the profit contribution, which only those who see
    cost may read), their weights scaled back to 100 %: Σ score × weight ÷ Σ weight, two decimals half up. None when
    one of those items is unscored or their weights add up to 0."""
    kept = {item: w for item, w in weights.items() if item not in leave_out}
    total_weight = sum(kept.values(), Decimal(0))
    if not kept or total_weight <= 0 or any(scores.get(item) is None for item in kept):
        return None
    total = sum((Decimal(scores[item] or 0) * w for item, w in kept.items()), Decimal(0)) / total_weight
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def average_score(scores: list[Decimal]) -> Decimal | None:
    """The plain average of the scores, two decimals half up; None without any."""
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


def unit_ranks(scores: Mapping[int, Decimal | None], units: Mapping[int, int | None]) -> dict[int, tuple[int, int]]:
    """Each person's place in their unit by score (highest first; equal scores share a place, the next place skips:
    1, 2, 2, 4) and the number ranked in the unit. People without a score or a unit are not ranked."""
    by_unit: dict[int, list[tuple[int, Decimal]]] = {}
    for person, score in scores.items():
        unit = units.get(person)
        if score is not None and unit is not None:
            by_unit.setdefault(unit, []).append((person, score))
    out: dict[int, tuple[int, int]] = {}
    for members in by_unit.values():
        ordered = sorted(members, key=lambda m: -m[1])
        for person, score in ordered:
            out[person] = (1 + sum(1 for _p, s in ordered if s > score), len(ordered))
    return out
