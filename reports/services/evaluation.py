"""Evaluation feedback: the manager's word on a salesperson's period, with the figures frozen."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.exceptions import ApplicationError

from ..models import Evaluation, PeriodType
from ..periods import normalise_start
from ..selectors.evaluation import evaluation_figures


@transaction.atomic
def evaluation_give_feedback(
    *, actor: User, salesperson: User, period_type: str, period_start: dt.date, feedback: str
) -> Evaluation:
    """The manager's feedback on a salesperson's period; the figures of that moment are frozen with it."""
    if period_type not in PeriodType.values:
        raise ApplicationError(_("Unknown period."), field="period_type")
    allowed = (
        (actor.is_manager and salesperson.unit_id in actor.team_unit_ids)
        or actor.is_superuser
        or (actor.role in (Role.GM_OFFICE, Role.ADMIN))
    )
    if not allowed or actor.pk == salesperson.pk:
        raise ApplicationError(_("Only the salesperson's manager can give feedback."), code="forbidden")
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
