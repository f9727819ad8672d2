"""The commission app's workflow tables: expense claims (the manager decides) and the month close (finance)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.unit_policy import unit_policy_workflow
from commission import permissions as p
from commission.models import ExpenseStatus, FundSpendStatus
from core.workflow import Transition, Workflow, decision_pair

_PENDING = frozenset({ExpenseStatus.PENDING})

EXPENSE = Workflow(
    document="commission.expense",
    transitions=decision_pair(
        _PENDING,
        ExpenseStatus.APPROVED,
        ExpenseStatus.REJECTED,
        p.can_decide_expense,
        denied=_("Only the department manager can decide this expense."),
        wrong_state=_("This expense has already been decided."),
        denied_code="forbidden",
        state_code="decided",
        approve_style="primary",
    ),
)


@dataclass(frozen=True)
class CommissionMonth:
    """A commission month: `closed` once its ClosedMonth row exists."""

    month: object
    closed: bool

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"


MONTH = Workflow(
    document="commission.month",
    transitions=(
        Transition(
            "close",
            frozenset({"open"}),
            "closed",
            lambda user, month: p.can_close_months(user),
            _("Close the month"),
            denied=_("Only finance can close a commission month."),
            denied_code="forbidden",
            denied_field="month",
            wrong_state=_("This month is already closed."),
            state_code="closed",
            state_field="month",
        ),
    ),
)


_FUND_PENDING = frozenset({FundSpendStatus.PENDING})

MARKET_FUND = Workflow(
    document="commission.market_fund",
    transitions=decision_pair(
        _FUND_PENDING,
        FundSpendStatus.APPROVED,
        FundSpendStatus.REJECTED,
        p.can_decide_fund_spend,
        denied=_("Only the GM office can decide spending from the market service fund."),
        wrong_state=_("This request has already been decided."),
        denied_code="forbidden",
        state_code="decided",
        approve_style="primary",
    ),
)


# A unit's own commission rates (實施細則): proposed by its manager, decided by the GM office (accounts.unit_policy).
UNIT_POLICY = unit_policy_workflow("commission.unit_policy")
