"""The yearly marketing plan's workflow: the salesperson submits, the manager approves or returns it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow
from field import permissions as p
from field.models import PlanStatus

PLAN = Workflow(
    document="field.plan",
    transitions=(
        Transition(
            "submit",
            frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED}),
            PlanStatus.SUBMITTED,
            p.can_submit_plan,
            _("Submit to the manager"),
            denied=_("Only the plan's author submits it."),
            wrong_state=_("This plan has already been submitted."),
        ),
        Transition(
            "approve",
            frozenset({PlanStatus.SUBMITTED}),
            PlanStatus.APPROVED,
            p.can_decide_plan,
            _("Approve"),
            awaits=True,
            denied=_("Only the salesperson's manager decides this plan."),
            wrong_state=_("This plan is not waiting for a decision."),
        ),
        Transition(
            "return",
            frozenset({PlanStatus.SUBMITTED}),
            PlanStatus.RETURNED,
            p.can_decide_plan,
            _("Return for changes"),
            needs_reason=True,
            style="outline-danger",
            denied=_("Only the salesperson's manager decides this plan."),
            wrong_state=_("This plan is not waiting for a decision."),
        ),
    ),
)
