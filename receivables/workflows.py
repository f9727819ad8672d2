"""The bad-debt write-off's workflow table: proposed → approved / rejected by finance or the GM office; an
approved write-off may be reversed (the debt reinstated) by finance or the GM office, with a reason."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow, decision_pair

from . import permissions as p
from .models import WriteOffStatus

_PROPOSED = frozenset({WriteOffStatus.PROPOSED})
_APPROVED = frozenset({WriteOffStatus.APPROVED})

WRITE_OFF = Workflow(
    document="receivables.write_off",
    transitions=(
        *decision_pair(
            _PROPOSED,
            WriteOffStatus.APPROVED,
            WriteOffStatus.REJECTED,
            p.can_decide_write_off,
            denied=_("Only finance or the GM office decide a write-off, and not their own proposal."),
            wrong_state=_("This write-off has already been decided."),
            state_code="decided",
            approve_style="primary",
        ),
        Transition(
            "reverse",
            _APPROVED,
            WriteOffStatus.REVERSED,
            p.can_reverse_write_off,
            _("Reverse (reinstate the debt)"),
            needs_reason=True,
            style="outline-secondary",
            denied=_("Only finance or the GM office reverse a write-off."),
            wrong_state=_("Only an approved write-off can be reversed."),
            state_code="not_approved",
        ),
    ),
)
