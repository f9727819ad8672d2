"""Weekly and monthly plans, visit routes and forecasts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError
from core.money import round_money
from customers.models import Customer

from ..models import Forecast, Plan, PlanKind, VisitRoute
from ..periods import normalise_start
from ._common import _create_row


@transaction.atomic
def plan_save(*, author: User, kind: str, period_start: dt.date, data: dict[str, Any]) -> Plan:
    if kind not in PlanKind.values:
        raise ApplicationError(_("Unknown plan kind."), field="kind")
    if author.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit, so you cannot write plans."), code="no_unit")
    start = normalise_start("week" if kind == PlanKind.WEEKLY else "month", period_start)
    goal = data.get("sales_goal")
    if goal not in (None, "") and Decimal(str(goal)) < 0:
        raise ApplicationError(_("A goal cannot be negative."), field="sales_goal", code="negative")
    plan = Plan.objects.select_for_update().filter(author=author, kind=kind, period_start=start).first()
    if plan is None:
        plan = _create_row(Plan, {"author": author, "kind": kind, "period_start": start}, {"unit_id": author.unit_id})
    for name in ("goals", "actions", "key_points_next"):
        if name in data:
            setattr(plan, name, (data.get(name) or "").strip())
    if "sales_goal" in data:
        plan.sales_goal = round_money(Decimal(str(goal))) if goal not in (None, "") else None
    if "visits_goal" in data:
        plan.visits_goal = data.get("visits_goal") or None
    plan.save()
    return plan


@transaction.atomic
def visit_route_set_day(*, owner: User, weekday: int, customer_ids: list[int], actor: User) -> list[VisitRoute]:
    """Replace the customers `owner` visits on `weekday` (in the given order). Only the owner's own customers."""
    if actor.pk != owner.pk and not (actor.is_manager and owner.unit_id in actor.team_unit_ids):
        raise ApplicationError(_("You cannot change this salesperson's routes."), code="forbidden")
    if not 0 <= int(weekday) <= 6:
        raise ApplicationError(_("Unknown weekday."), field="weekday")
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson belongs to no sales unit."), code="no_unit")
    ids = list(dict.fromkeys(int(i) for i in customer_ids))
    own = set(Customer.objects.filter(pk__in=ids, owner=owner).values_list("pk", flat=True))
    foreign = [i for i in ids if i not in own]
    if foreign:
        raise ApplicationError(
            _("Only the salesperson's own customers can be on the route."), field="customers", code="not_owner"
        )
    VisitRoute.objects.filter(owner=owner, weekday=weekday).delete()
    return VisitRoute.objects.bulk_create(
        [
            VisitRoute(owner=owner, unit_id=owner.unit_id, weekday=weekday, customer_id=cid, position=pos)
            for pos, cid in enumerate(ids)
        ]
    )


@transaction.atomic
def forecast_set(
    *, owner: User, month: dt.date, amount: Decimal, confidence: int = 50, note: str = "", actor: User
) -> Forecast:
    if actor.pk != owner.pk:
        raise ApplicationError(_("Only the salesperson keeps their own forecast."), code="forbidden")
    if owner.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit."), code="no_unit")
    amount = round_money(amount)
    if amount < 0:
        raise ApplicationError(_("A forecast cannot be negative."), field="amount", code="negative")
    if not 0 <= confidence <= 100:
        raise ApplicationError(_("Confidence is a percentage from 0 to 100."), field="confidence")
    forecast, _created = Forecast.objects.select_for_update().update_or_create(
        owner=owner,
        month=month.replace(day=1),
        defaults={"amount": amount, "confidence": confidence, "note": note.strip(), "unit_id": owner.unit_id},
    )
    return forecast
