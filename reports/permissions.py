"""Who may do what with daily reports. Pure functions of the user and the report (no ORM writes)."""

from __future__ import annotations

from accounts.models import User
from reports.models import DailyReport


def can_review(user: User, report: DailyReport) -> bool:
    """Managers review their team's reports; the GM office and admins any; nobody reviews their own."""
    if user.pk == report.author_id:
        return False
    if user.is_manager:
        return report.unit_id in user.team_unit_ids
    return bool(user.is_admin_role or user.is_gm_office)


def report_state(report: DailyReport) -> str:
    """draft (not filed) → submitted (waiting for the manager) → reviewed."""
    if report.submitted_at is None:
        return "draft"
    return "submitted" if report.reviewed_at is None else "reviewed"


def can_see_bonus_worksheet(user: User) -> bool:
    """The year-end bonus worksheet: managers (their people), the GM office, finance and admins."""
    return bool(user.is_authenticated and (user.is_manager or user.is_company_wide))


def can_score_bonus(user: User, salesperson: User) -> bool:
    """The salesperson's department manager or the GM office scores the judged factors; nobody scores themselves."""
    if not user.is_authenticated or user.pk == salesperson.pk:
        return False
    if user.is_gm_office or user.is_admin_role:
        return True
    return user.is_manager and salesperson.unit_id in user.team_unit_ids


def can_set_bonus_weights(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin_role)
