"""The daily report review table: a filed report waits for its unit's manager, who reviews it (with a comment)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.unit_policy import unit_policy_workflow
from core.workflow import Transition, Workflow
from reports import permissions as p

_REVIEW: dict[str, Any] = {
    "denied": _("Only the unit's manager can review this report."),
    "denied_code": "forbidden",
    "denied_field": None,
    "wrong_state": _("The report has not been filed yet."),
    "state_code": "not_submitted",
    "state_field": None,
}

DAILY_REPORT = Workflow(
    document="reports.dailyreport",
    state=p.report_state,
    transitions=(
        # Reviewing a reviewed report adds the comment only (the first review stays on record).
        Transition(
            "review",
            frozenset({"submitted"}),
            "reviewed",
            p.can_review,
            pgettext_lazy("daily report", "Review"),
            awaits=True,
            **_REVIEW,
        ),
        Transition("re_review", frozenset({"reviewed"}), "reviewed", p.can_review, _("Comment"), **_REVIEW),
    ),
)


# A unit's own daily-report cut-off (實施細則): proposed by its manager, decided by the GM office
# (accounts.unit_policy).
UNIT_POLICY = unit_policy_workflow("reports.unit_policy")
