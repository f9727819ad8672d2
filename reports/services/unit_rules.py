"""A unit's own daily-report cut-off (實施細則): its manager proposes, the GM office approves or rejects
(`accounts.unit_policy`)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts import unit_policy
from accounts.models import User

from .. import workflows
from ..models import UnitReportPolicy


def unit_report_policy_propose(*, actor: User, unit, effective_from: dt.date, **values) -> UnitReportPolicy:
    """The unit's own cut-off from a date (empty: the company's); in force once the GM office approves it."""
    return unit_policy.propose(
        UnitReportPolicy,
        workflows.UNIT_POLICY,
        actor=actor,
        unit=unit,
        effective_from=effective_from,
        values=values,
        url=reverse("reports:unit_rules"),
    )


def unit_report_policy_approve(*, actor: User, policy: UnitReportPolicy) -> UnitReportPolicy:
    return unit_policy.approve(workflows.UNIT_POLICY, actor=actor, policy=policy, url=reverse("reports:unit_rules"))


def unit_report_policy_reject(*, actor: User, policy: UnitReportPolicy, reason: str) -> UnitReportPolicy:
    return unit_policy.reject(
        workflows.UNIT_POLICY, actor=actor, policy=policy, reason=reason, url=reverse("reports:unit_rules")
    )
