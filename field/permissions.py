"""Who may do what with plans and market reports (pure)."""

from __future__ import annotations

from typing import Any


def manages(user: Any, unit_id: int | None) -> bool:
    return bool(user.is_authenticated and user.is_manager and unit_id in user.team_unit_ids)


def can_submit_plan(user: Any, plan: Any) -> bool:
    return bool(user.is_authenticated and plan.owner_id == user.pk)


def can_decide_plan(user: Any, plan: Any) -> bool:
    """The manager of the plan's unit decides, never on their own plan (the GM office decides a manager's)."""
    if not user.is_authenticated or plan.owner_id == user.pk:
        return False
    return manages(user, plan.unit_id) or bool(user.is_gm_office and getattr(plan.owner, "is_manager", False))


def can_answer_escalation(user: Any, report: Any) -> bool:
    return bool(report.author_id != user.pk and (manages(user, report.unit_id) or user.is_gm_office))
