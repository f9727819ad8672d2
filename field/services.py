"""Field writes: plans (saved, submitted, decided) and market reports (with their prices and an urgent problem that
reaches the manager at once). Every handoff is an event: the next person is told once, in their language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.events import publish
from core.exceptions import ApplicationError, PermissionDenied
from sales.models import Product

from .models import (
    EscalationStatus,
    GoalDimension,
    LeadConversion,
    MarketingPlan,
    MarketReport,
    PlanGoal,
    PlanStatus,
    PriceTier,
)
from .permissions import can_answer_escalation
from .rules import lead_lines
from .workflows import PLAN


@dataclass(frozen=True)
class GoalInput:
    dimension: str
    key: str
    amount: Decimal


def _amount(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter an amount."), field=field, code="invalid") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ApplicationError(_("Enter an amount between 0 and 999,999,999,999."), field=field, code="range")
    return amount.quantize(Decimal("0.01"))


def _manager(unit) -> list[int]:
    return [unit.manager_id] if unit is not None and unit.manager_id else []


@transaction.atomic
def plan_save(
    *,
    actor: User,
    year: int,
    activities: str,
    budget: object,
    goals: list[GoalInput],
    plan: MarketingPlan | None = None,
) -> MarketingPlan:
    """Write or change one's own plan for a year (while a draft or returned)."""
    if actor.unit_id is None or not (actor.is_salesperson or actor.is_manager):
        raise PermissionDenied(_("Only salespeople and managers write a marketing plan."))
    today = timezone.localdate()
    if not (today.year - 1 <= year <= today.year + 1):
        raise ApplicationError(_("Plan this year or next year."), field="year", code="range")
    if not (activities or "").strip():
        raise ApplicationError(_("Describe the activities of the year."), field="activities", code="required")
    if not goals:
        raise ApplicationError(_("Give at least one goal."), field="goals", code="required")
    for g in goals:
        if g.dimension not in GoalDimension.values or not g.key.strip() or g.amount <= 0:
            raise ApplicationError(_("Each goal needs a kind, what it is about and an amount."), field="goals")
    budget_value = _amount(budget, "budget")
    if plan is None:
        if MarketingPlan.objects.filter(owner=actor, year=year).exists():
            raise ApplicationError(
                _("You already have a plan for %(year)s.") % {"year": year}, field="year", code="taken"
            )
        plan = MarketingPlan(owner=actor, unit_id=actor.unit_id, year=year)
    else:
        plan = MarketingPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.owner_id != actor.pk:
            raise PermissionDenied(_("Only the plan's author changes it."))
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise ApplicationError(_("A submitted or approved plan cannot be changed."), field="status", code="state")
    plan.activities = activities.strip()
    plan.budget = budget_value
    plan.save()
    plan.goals.all().delete()
    PlanGoal.objects.bulk_create(
        [PlanGoal(plan=plan, dimension=g.dimension, key=g.key.strip()[:200], amount=g.amount) for g in goals]
    )
    return plan


@transaction.atomic
def plan_act(*, plan: MarketingPlan, actor: User, action: str, note: str = "") -> MarketingPlan:
    plan = MarketingPlan.objects.select_for_update(of=("self",)).select_related("unit", "owner").get(pk=plan.pk)
    transition = PLAN.check(actor, plan, action)
    note = (note or "").strip()
    if transition.needs_reason and not note:
        raise ApplicationError(_("Say what should change."), field="note", code="required")
    plan.status = transition.target
    now = timezone.now()
    if action == "submit":
        plan.submitted_at = now
        recipients = _manager(plan.unit) if plan.unit.manager_id != plan.owner_id else []
    else:
        plan.decided_by, plan.decided_at, plan.decision_note = actor, now, note
        recipients = [plan.owner_id]
    plan.save()
    publish(
        document=PLAN.document,
        document_id=plan.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={"year": plan.year, "owner": str(plan.owner), "url": f"/field/plans/{plan.pk}/"},
    )
    return plan


@dataclass(frozen=True)
class PriceInput:
    product_id: int
    competitor: str
    competitor_product: str
    tier: str
    price: Decimal


@transaction.atomic
def market_report_create(*, actor: User, data: dict, prices: list[PriceInput]) -> MarketReport:
    """File a patrol or registry report; an urgent problem goes to the manager at once and stays open until they
    answer."""
    if actor.unit_id is None:
        raise PermissionDenied(_("Only members of a sales unit file market reports."))
    date = data.get("date")
    if not isinstance(date, dt.date) or date > timezone.localdate():
        raise ApplicationError(_("Give the day of the visit (not in the future)."), field="date", code="invalid")
    if not (data.get("place") or "").strip():
        raise ApplicationError(_("Say where you were."), field="place", code="required")
    if data.get("channel_conflict") and not (data.get("conflict_evidence") or "").strip():
        raise ApplicationError(_("Describe the channel-conflict evidence."), field="conflict_evidence", code="required")
    products = set(Product.objects.filter(pk__in=[p.product_id for p in prices]).values_list("pk", flat=True))
    for p in prices:
        if (
            p.product_id not in products
            or not p.competitor.strip()
            or p.tier not in PriceTier.values
            or not p.price.is_finite()
            or p.price <= 0
            or p.price >= Decimal("1e12")
        ):
            raise ApplicationError(
                _("Each price needs our product, the competitor, the tier and a price above 0."), field="prices"
            )
    fields = {
        k: (data.get(k) or "").strip() if isinstance(data.get(k), str) else data.get(k)
        for k in (
            "kind",
            "place",
            "region",
            "competitors_seen",
            "new_products",
            "stock",
            "display",
            "conflict_evidence",
            "leads",
            "urgent_problem",
        )
    }
    report = MarketReport.objects.create(
        author=actor,
        unit_id=actor.unit_id,
        date=date,
        channel_conflict=bool(data.get("channel_conflict")),
        escalation=EscalationStatus.OPEN if fields.get("urgent_problem") else "",
        **{k: v or "" for k, v in fields.items()},
    )
    # The prices go to the one price table (reports.MarketPrice), which the reports app writes when told.
    publish(
        document="field.report",
        document_id=report.pk,
        action="filed",
        actor=actor,
        data={
            "date": report.date.isoformat(),
            "region": report.region,
            "unit_id": report.unit_id,
            "place": report.place,
            "url": f"/field/reports/{report.pk}/",
            "prices": [
                {
                    "product_id": p.product_id,
                    "competitor": p.competitor.strip()[:100],
                    "competitor_product": p.competitor_product.strip()[:100],
                    "tier": p.tier,
                    "price": str(p.price.quantize(Decimal("0.01"))),
                }
                for p in prices
            ],
        },
    )
    if report.escalation == EscalationStatus.OPEN:
        unit = actor.unit
        recipients = _manager(unit) if unit is not None and unit.manager_id != actor.pk else []
        if not recipients:
            recipients = list(User.objects.filter(role="gm_office", is_active=True).values_list("pk", flat=True))
        publish(
            document="field.report",
            document_id=report.pk,
            action="escalated",
            actor=actor,
            recipients=recipients,
            note=report.urgent_problem,
            data={"place": report.place, "date": report.date.isoformat(), "url": f"/field/reports/{report.pk}/"},
        )
    return report


@transaction.atomic
def escalation_answer(*, report: MarketReport, actor: User, answer: str) -> MarketReport:
    report = MarketReport.objects.select_for_update().get(pk=report.pk)
    if not can_answer_escalation(actor, report):
        raise PermissionDenied(_("Only the salesperson's manager answers this problem."))
    if report.escalation != EscalationStatus.OPEN:
        raise ApplicationError(_("This problem is not waiting for an answer."), field="answer", code="state")
    if not (answer or "").strip():
        raise ApplicationError(_("Write your answer."), field="answer", code="required")
    report.escalation = EscalationStatus.ANSWERED
    report.answer, report.answered_by, report.answered_at = answer.strip(), actor, timezone.now()
    report.save()
    publish(
        document="field.report",
        document_id=report.pk,
        action="answered",
        actor=actor,
        recipients=[report.author_id],
        note=report.answer,
        data={"place": report.place, "date": report.date.isoformat(), "url": f"/field/reports/{report.pk}/"},
    )
    return report


@transaction.atomic
def lead_convert(*, actor: User, report: MarketReport, line: int, customer_id: int) -> LeadConversion:
    """Link lead `line` of a report the actor may see to the prospect customer registered from it (through the
    customers app's form and rules, which the caller checked the actor may see). A lead is turned once."""
    leads = lead_lines(report.leads)
    if not 1 <= line <= len(leads):
        raise ApplicationError(_("This report has no such lead."), field="line")
    report = MarketReport.objects.select_for_update().get(pk=report.pk)
    done = LeadConversion.objects.filter(report=report, line=line).first()
    if done is not None:
        if done.customer_id != customer_id:
            raise ApplicationError(_("This lead was already turned into a prospect."), field="line", code="converted")
        return done
    return LeadConversion.objects.create(
        report=report, line=line, lead=leads[line - 1][:500], customer_id=customer_id, converted_by=actor
    )
