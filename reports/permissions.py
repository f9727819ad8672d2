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
