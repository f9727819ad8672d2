from django.db import models
from django.db.models import Q

from core.visibility import VisibleQuerySet


class DailyReportQuerySet(VisibleQuerySet):
    owner_field = "author"


class MarketPriceQuerySet(VisibleQuerySet):
    owner_field = "author"


class ReportCommentQuerySet(VisibleQuerySet):
    owner_field = "report__author"
    unit_field = "report__unit"


class PlanQuerySet(VisibleQuerySet):
    owner_field = "author"


class VisitRouteQuerySet(VisibleQuerySet):
    pass


class ForecastQuerySet(VisibleQuerySet):
    pass


class EvaluationQuerySet(VisibleQuerySet):
    owner_field = "salesperson"


class SummaryQuerySet(VisibleQuerySet):
    pass


def _target_scope(user, prefix: str = "") -> Q:
    """Targets: company-wide roles see all; a manager sees the team's units; a salesperson sees the targets
    that carry a split line for them (and, through TargetLine, only that line)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_company_wide:
        return Q()
    if user.is_manager:
        return Q(**{f"{prefix}unit__in": user.team_unit_ids})
    if user.is_salesperson:
        return Q(**{f"{prefix}lines__salesperson": user}) if not prefix else Q(salesperson=user)
    return Q(pk__in=[])


class TargetQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        q = _target_scope(user)
        qs = self.filter(q)
        return qs.distinct() if user is not None and getattr(user, "is_salesperson", False) else qs


class TargetLineQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self.filter(_target_scope(user, prefix="target__"))


class LessonQuerySet(models.QuerySet):
    """Lessons are for the team: the unit's salespeople and managers read them; company-wide roles see all."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_company_wide:
            return self.all()
        units = set(user.team_unit_ids) if user.is_manager else set()
        if user.unit_id:
            units.add(user.unit_id)
        return self.filter(unit_id__in=units) if units else self.none()
