"""Who may do what with commission documents. Pure functions of the user (and the document)."""

from __future__ import annotations

from accounts.models import User
from commission.models import ExpenseClaim, MarketFundSpend


def can_close_months(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_finance or user.is_admin_role))


def can_decide_expense(user: User, claim: ExpenseClaim) -> bool:
    """The department manager of the contract's unit (or an admin), never on their own claim."""
    if not user.is_authenticated or claim.claimant_id == user.id:
        return False
    if user.is_admin_role:
        return True
    return user.is_manager and claim.contract.unit_id in user.team_unit_ids


# --- market service fund (市場服務基金) ------------------------------------------------------------------------------
def can_view_market_fund(user: User) -> bool:
    """Managers (their units), the GM office, finance and admins. Salespeople do not manage the fund."""
    return bool(user.is_authenticated and (user.is_manager or user.is_company_wide))


def can_request_fund_spend(user: User, unit_id: int | None) -> bool:
    """The unit's manager, the GM office or an admin asks to spend from a unit's fund."""
    if not user.is_authenticated or unit_id is None:
        return False
    if user.is_gm_office or user.is_admin_role:
        return True
    return user.is_manager and unit_id in user.team_unit_ids


def can_decide_fund_spend(user: User, spend: MarketFundSpend) -> bool:
    """The GM office (or an admin) approves spending from the fund, never their own request."""
    if not user.is_authenticated or spend.requested_by_id == user.id:
        return False
    return bool(user.is_gm_office or user.is_admin_role)


def can_accrue_market_fund(user: User) -> bool:
    """Finance (who closes the month) or an admin books the month's accrual."""
    return bool(user.is_authenticated and (user.is_finance or user.is_admin_role))


def can_see_profit(user: User) -> bool:
    """Profit contribution (利潤貢獻) shows cost: managers (their units) and the company-wide roles, never
    salespeople or non-sales staff."""
    return bool(user.is_authenticated and (user.is_manager or user.is_company_wide))
