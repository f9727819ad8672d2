"""The bad-debt write-off's workflow table: proposed → approved / rejected by finance or the GM office."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

from . import permissions as p
from .models import WriteOffStatus

_PROPOSED = frozenset({WriteOffStatus.PROPOSED})
_DECIDE: dict[str, Any] = {
    "denied": _("Only finance or the GM office decide a write-off, and not their own proposal."),
    "wrong_state": _("This write-off has already been decided."),
    "state_code": "decided",
}

WRITE_OFF = Workflow(
    document="receivables.write_off",
    transitions=(
        Transition(
            "approve", _PROPOSED, WriteOffStatus.APPROVED, p.can_decide_write_off, _("Approve"), awaits=True, **_DECIDE
        ),
        Transition(
            "reject",
            _PROPOSED,
            WriteOffStatus.REJECTED,
            p.can_decide_write_off,
            _("Reject"),
            needs_reason=True,
            style="outline-danger",
            **_DECIDE,
        ),
    ),
)
