"""The case workflow: open → in progress → resolved (waiting for the customer) → closed when the customer
confirms; a resolved case the customer is not happy with goes back to work."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from care import permissions as p
from care.models import CaseStatus
from core.workflow import Transition, Workflow

_WORKING = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS})
_WHO: dict[str, Any] = {
    "denied": _("Only the case's owner or their manager can do this."),
    "wrong_state": _("The case is not in a state where this can be done."),
}

CASE = Workflow(
    document="care.case",
    transitions=(
        Transition(
            "start",
            frozenset({CaseStatus.OPEN}),
            CaseStatus.IN_PROGRESS,
            p.can_work_case,
            _("Start"),
            awaits=True,
            **_WHO,
        ),
        Transition(
            "resolve",
            _WORKING,
            CaseStatus.RESOLVED,
            p.can_work_case,
            _("Resolve"),
            needs_reason=True,
            awaits=True,
            **_WHO,
        ),
        Transition(
            "confirm",
            frozenset({CaseStatus.RESOLVED}),
            CaseStatus.CLOSED,
            p.can_confirm_case,
            _("Customer confirmed"),
            style="success",
            **_WHO,
        ),
        Transition(
            "reopen",
            frozenset({CaseStatus.RESOLVED}),
            CaseStatus.IN_PROGRESS,
            p.can_work_case,
            _("Not solved: reopen"),
            needs_reason=True,
            style="outline-danger",
            **_WHO,
        ),
    ),
)
