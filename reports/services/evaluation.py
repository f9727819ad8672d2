"""Evaluation feedback: the manager's word on a salesperson's period, with the figures frozen."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied

from ..models import (
    DEFAULT_REVIEW_WEIGHTS,
    Evaluation,
    ImprovementPoint,
    PeriodType,
    ReviewItem,
    ReviewScore,
    ReviewWeights,
)
from ..periods import normalise_start
from ..rules import review_weights_error
from ..selectors.evaluation import evaluation_figures

EVALUATION_DOCUMENT = "reports.evaluation"


@transaction.atomic
def evaluation_give_feedback(
    *, actor: User, salesperson: User, period_type: str, period_start: dt.date, feedback: str
) -> Evaluation:
    """The manager's feedback on a salesperson's period; the figures of that moment are frozen with it."""
    if period_type not in PeriodType.values:
        raise ApplicationError(_("Unknown period."), field="period_type")
    allowed = (
        (actor.is_manager and salesperson.unit_id in actor.team_unit_ids) or actor.is_gm_office or actor.is_admin_role
    )
    if not allowed or actor.pk == salesperson.pk:
        raise PermissionDenied(_("Only the salesperson's manager can give feedback."))
    if not feedback.strip():
        raise ApplicationError(_("Write the feedback."), field="feedback", code="required")
    if salesperson.unit_id is None:
        raise ApplicationError(_("The salesperson belongs to no sales unit."), code="no_unit")
    start = normalise_start(period_type, period_start)
    figures = evaluation_figures(user_ids=[salesperson.pk], period_type=period_type, period_start=start)[salesperson.pk]
    evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
        salesperson=salesperson, period_type=period_type, period_start=start, defaults={"unit_id": salesperson.unit_id}
    )
    evaluation.feedback = feedback.strip()
    evaluation.feedback_by = actor
    evaluation.feedback_at = timezone.now()
    evaluation.figures = figures.as_json()
    evaluation.save()
    return evaluation


def _may_review(actor: User, salesperson: User) -> bool:
    allowed = (
        (actor.is_manager and salesperson.unit_id in actor.team_unit_ids) or actor.is_gm_office or actor.is_admin_role
    )
    return bool(allowed) and actor.pk != salesperson.pk


@transaction.atomic
def evaluation_review(
    *,
    actor: User,
    salesperson: User,
    period_type: str,
    period_start: dt.date,
    scores: dict[str, int],
    summary: str,
) -> Evaluation:
    """The manager's review: every item scored 0–100 with the admin's weights in force, and a written summary.

    The salesperson is told once (the first time the period is reviewed), in their language, and asked to
    acknowledge it."""
    if not _may_review(actor, salesperson):
        raise PermissionDenied(_("Only the salesperson's manager can review."))
    for item in ReviewItem.values:
        value = scores.get(item)
        if value is None or not 0 <= int(value) <= 100:
            raise ApplicationError(_("Score every item from 0 to 100."), field=item)
    start = normalise_start(period_type, period_start) if period_type in PeriodType.values else period_start
    weights = ReviewWeights.objects.in_force(start) or DEFAULT_REVIEW_WEIGHTS
    if review_weights_error(weights.as_dict()):
        raise ApplicationError(_("The admin has not set valid item weights."), code="no_weights")
    first = not Evaluation.objects.filter(
        salesperson=salesperson, period_type=period_type, period_start=start, feedback_at__isnull=False
    ).exists()
    evaluation = evaluation_give_feedback(
        actor=actor, salesperson=salesperson, period_type=period_type, period_start=start, feedback=summary
    )
    by_item = {s.item: s for s in evaluation.scores.select_for_update()}
    for item, weight in weights.as_dict().items():
        row = by_item.get(item) or ReviewScore(evaluation=evaluation, item=item)
        row.score = int(scores[item])
        row.weight = weight
        row.save()
    if first:
        events.publish(
            document=EVALUATION_DOCUMENT,
            document_id=evaluation.pk,
            action="reviewed",
            actor=actor,
            recipients=[salesperson.pk],
            data={
                "actor": actor.get_full_name(),
                "period": f"{period_type} {start.isoformat()}",
                "url": f"{reverse('reports:evaluation_detail', args=[salesperson.pk])}"
                f"?period={period_type}&start={start.isoformat()}",
            },
        )
    return evaluation


@transaction.atomic
def evaluation_acknowledge(*, actor: User, evaluation: Evaluation) -> Evaluation:
    """The salesperson acknowledges the review of their period (once)."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if actor.pk != evaluation.salesperson_id:
        raise PermissionDenied(_("Only the salesperson acknowledges their evaluation."))
    if evaluation.feedback_at is None:
        raise ApplicationError(_("The evaluation has not been reviewed yet."), code="not_reviewed")
    if evaluation.acknowledged_at is None:
        evaluation.acknowledged_at = timezone.now()
        evaluation.save(update_fields=["acknowledged_at", "updated_at"])
    return evaluation


@transaction.atomic
def improvement_add(
    *, actor: User, evaluation: Evaluation, text: str, owner: User, due_on: dt.date
) -> ImprovementPoint:
    """An improvement point with its owner (the salesperson or someone of the unit) and deadline."""
    salesperson = evaluation.salesperson
    if not _may_review(actor, salesperson):
        raise PermissionDenied(_("Only the salesperson's manager can add improvement points."))
    if not text.strip():
        raise ApplicationError(_("Describe the improvement."), field="text", code="required")
    if owner.pk != salesperson.pk and owner.unit_id != salesperson.unit_id:
        raise ApplicationError(_("The owner must belong to the salesperson's unit."), field="owner")
    return ImprovementPoint.objects.create(evaluation=evaluation, text=text.strip(), owner=owner, due_on=due_on)


@transaction.atomic
def improvement_close(*, actor: User, point: ImprovementPoint) -> ImprovementPoint:
    """The owner or the reviewing manager closes the point (once)."""
    point = ImprovementPoint.objects.select_for_update().select_related("evaluation__salesperson").get(pk=point.pk)
    if actor.pk != point.owner_id and not _may_review(actor, point.evaluation.salesperson):
        raise PermissionDenied(_("You cannot close this improvement point."))
    if point.closed_at is None:
        point.closed_at = timezone.now()
        point.closed_by = actor
        point.save(update_fields=["closed_at", "closed_by", "updated_at"])
    return point
