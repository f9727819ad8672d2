"""Pure rules of the evaluation review: the admin's item weights and the weighted score."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

HUNDRED = Decimal("100")


def weights_error(weights: Mapping[str, Decimal]) -> str:
    """Why these weights cannot be used ("" when they can): none negative, and they sum to 100 %."""
    if any(w is None or w < 0 for w in weights.values()):
        return _("Each weight must be zero or more.")
    total = sum(weights.values(), Decimal(0))
    if total != HUNDRED:
        return _("The weights must sum to 100 %% (now %(total)s %%).") % {"total": total}
    return ""


def weighted_score(scores: Mapping[str, int], weights: Mapping[str, Decimal]) -> Decimal | None:
    """Σ score × weight ÷ 100 over the scored items, to two decimals (half up); None when an item is unscored."""
    if not scores or any(item not in scores or scores[item] is None for item in weights):
        return None
    total = sum((Decimal(scores[item]) * weights[item] for item in weights), Decimal(0)) / HUNDRED
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
