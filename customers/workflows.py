"""The customers app's workflow tables: the 碰車 conflict (decided by the GM office) and the monthly card filing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow
from customers import permissions as p
from customers.models import ConflictStatus

_OPEN = frozenset({ConflictStatus.OPEN})

CONFLICT = Workflow(
    document="customers.conflict",
    transitions=(
        Transition(
            "confirm",
            _OPEN,
            ConflictStatus.CONFIRMED,
            lambda user, conflict: p.can_decide_conflicts(user),
            _("Confirm the owner"),
            denied=_("Only the GM office decides ownership conflicts."),
            denied_code="forbidden",
            denied_field=None,
            wrong_state=_("This conflict has already been decided."),
            state_code="decided",
            state_field=None,
            awaits=True,
        ),
        Transition(
            "reassign",
            _OPEN,
            ConflictStatus.REASSIGNED,
            lambda user, conflict: p.can_decide_conflicts(user),
            _("Give to the claimant"),
            denied=_("Only the GM office decides ownership conflicts."),
            denied_code="forbidden",
            denied_field=None,
            wrong_state=_("This conflict has already been decided."),
            state_code="decided",
            state_field=None,
            needs_reason=True,
        ),
    ),
)


@dataclass(frozen=True)
class UnitMonth:
    """A unit's cards of one month: `filed` once its MonthlyFiling exists."""

    unit: object
    month: object
    filed: bool

    @property
    def status(self) -> str:
        return "filed" if self.filed else "unfiled"


FILING = Workflow(
    document="customers.filing",
    transitions=(
        Transition(
            "file",
            frozenset({"unfiled"}),
            "filed",
            lambda user, um: p.can_file_month(user, um.unit),
            _("File the month"),
            denied=_("Only the unit's manager or an admin may file its customer cards."),
            denied_code="forbidden",
            denied_field=None,
            wrong_state=_("This month has already been filed."),
            state_code="already_filed",
            state_field="month",
            awaits=True,
        ),
    ),
)
