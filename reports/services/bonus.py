"""Year-end bonus (年終獎勵): the admin's weights and the manager's scores of the judged factors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied

from .. import rules
from ..models import BonusScore, BonusWeights
from ..permissions import can_score_bonus, can_set_bonus_weights


def _score(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter a score from 0 to 100."), field=field) from None
    if score < 0 or score > 100:
        raise ApplicationError(_("Enter a score from 0 to 100."), field=field, code="range")
    return score


@transaction.atomic
def bonus_score_save(
    *,
    actor: User,
    salesperson: User,
    year: int,
    quality=None,
    satisfaction=None,
    market_share=None,
    note: str = "",
) -> BonusScore:
    """The manager (or the GM office) scores a salesperson's year on the judged factors, 0–100 each (empty = not
    scored yet). Saving again replaces the scores; the last scorer is recorded."""
    if not can_score_bonus(actor, salesperson):
        raise PermissionDenied(_("You cannot score this salesperson."), field="salesperson")
    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(_("Enter a year."), field="year")
    values = {
        "quality": _score(quality, "quality"),
        "satisfaction": _score(satisfaction, "satisfaction"),
        "market_share": _score(market_share, "market_share"),
        "note": (note or "").strip()[:300],
        "scored_by": actor,
    }
    row, _created = BonusScore.objects.select_for_update().update_or_create(
        salesperson=salesperson, year=int(year), defaults=values
    )
    return row


@transaction.atomic
def bonus_weights_set(
    *,
    actor: User,
    effective_from: dt.date,
    sales_weight,
    quality_weight,
    satisfaction_weight,
    market_share_weight,
    company_weight,
    fund_share_percent,
) -> BonusWeights:
    """The admin sets the year-end weights from a date (a new row; the past is never rewritten). The five weights
    must add up to exactly 100 %; the fund share is 0–100 % of the year's accruals."""
    if not can_set_bonus_weights(actor):
        raise PermissionDenied(_("Only an admin sets the year-end bonus weights."))
    raw = {
        "sales": sales_weight,
        "quality": quality_weight,
        "satisfaction": satisfaction_weight,
        "market_share": market_share_weight,
        "company": company_weight,
    }
    weights = {name: _score(value, f"{name}_weight") or Decimal("0") for name, value in raw.items()}
    share = _score(fund_share_percent, "fund_share_percent")
    problem = rules.weights_error(weights)
    if problem == "total":
        raise ApplicationError(
            _("The weights add up to %(total)s %%; they must add up to 100 %%.")
            % {"total": sum(weights.values(), Decimal("0"))},
            field="sales_weight",
            code="weights_total",
        )
    row, _created = BonusWeights.objects.update_or_create(
        effective_from=effective_from,
        defaults={
            "sales_weight": weights["sales"],
            "quality_weight": weights["quality"],
            "satisfaction_weight": weights["satisfaction"],
            "market_share_weight": weights["market_share"],
            "company_weight": weights["company"],
            "fund_share_percent": share
            if share is not None
            else BonusWeights._meta.get_field("fund_share_percent").get_default(),
        },
    )
    return row
