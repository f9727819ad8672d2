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
