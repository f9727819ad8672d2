"""Who may do what with quotes and contracts. Pure functions of the user and the document (no ORM writes).

The sales workflow tables (`sales/workflows.py`) are built from these; services, pages, the API and the inbox
ask the tables, never these rules' copies."""

from __future__ import annotations

from accounts.models import User
from sales.models import (
    ApprovalDecision,
    ApproverRole,
    Contract,
    ContractApproval,
    PriceInquiry,
    Quote,
    SalesReturn,
)


def is_unit_manager(user: User, unit_id: int) -> bool:
    return user.is_manager and unit_id in user.team_unit_ids


def may_work_on(user: User, *, owner_id: int, unit_id: int) -> bool:
    """The owner, or a manager of the deal's unit."""
    return user.pk == owner_id or is_unit_manager(user, unit_id)


def may_work_on_quote(user: User, quote: Quote) -> bool:
    return may_work_on(user, owner_id=quote.owner_id, unit_id=quote.unit_id)


def may_review_quote(user: User, quote: Quote) -> bool:
    """The quote's unit manager, never on their own quote."""
    return is_unit_manager(user, quote.unit_id) and user.pk != quote.owner_id


def may_work_on_contract(user: User, contract: Contract) -> bool:
    return may_work_on(user, owner_id=contract.owner_id, unit_id=contract.unit_id)


def may_decide_role(user: User, contract: Contract, role: str) -> bool:
    """Never on one's own contract. The unit's manager decides the manager step; when the contract belongs to a
    manager (whom nobody in the unit outranks), the GM office decides it instead."""
    if user.pk == contract.owner_id:
        return False
    if role == ApproverRole.MANAGER:
        if contract.owner.is_manager:
            return user.is_gm_office
        return is_unit_manager(user, contract.unit_id)
    if role == ApproverRole.GM_OFFICE:
        return user.is_gm_office
    return False


def round_approvals(contract: Contract) -> list[ContractApproval]:
    """The approvals of the contract's current review round: the ones the caller loaded (and locked) in
    `contract.round_approvals`, else the prefetched `approvals`, else one query."""
    loaded: list[ContractApproval] | None = getattr(contract, "round_approvals", None)
    if loaded is not None:
        return loaded
    cache: dict[str, list[ContractApproval]] = getattr(contract, "_prefetched_objects_cache", {})
    if "approvals" in cache:
        return [a for a in cache["approvals"] if a.round == contract.review_round]
    return list(ContractApproval.objects.filter(contract=contract, round=contract.review_round))


def may_decide_contract(user: User, contract: Contract) -> bool:
    """A required approver of the current round whose step is still pending."""
    if user.pk == contract.owner_id:
        return False
    return any(
        a.decision == ApprovalDecision.PENDING and may_decide_role(user, contract, a.approver_role)
        for a in round_approvals(contract)
    )


# --- written price inquiries (書面詢價) ---


def may_see_inquiry(user: User, inquiry: PriceInquiry) -> bool:
    """The requesting unit (its people and managers), the producing unit's managers, the company-wide roles."""
    return bool(
        user.is_company_wide
        or user.pk == inquiry.requested_by_id
        or user.unit_id == inquiry.requesting_unit_id
        or is_unit_manager(user, inquiry.requesting_unit_id)
        or is_unit_manager(user, inquiry.producing_unit_id)
    )


def may_answer_inquiry(user: User, inquiry: PriceInquiry) -> bool:
    """The producing unit's manager, never on an inquiry of their own."""
    return is_unit_manager(user, inquiry.producing_unit_id) and user.pk != inquiry.requested_by_id


def may_withdraw_inquiry(user: User, inquiry: PriceInquiry) -> bool:
    """Whoever asked, or a manager of the requesting unit."""
    return user.pk == inquiry.requested_by_id or is_unit_manager(user, inquiry.requesting_unit_id)


# --- returns (退貨) ---


def may_record_return(user: User, contract: Contract) -> bool:
    """The contract's salesperson or a manager of its unit."""
    return may_work_on_contract(user, contract)


def may_decide_return(user: User, sales_return: SalesReturn) -> bool:
    """The contract unit's manager approves a return, never one they recorded or on their own contract; a
    manager's own contract (nobody in the unit outranks them) goes to the GM office."""
    contract = sales_return.contract
    if user.pk in (sales_return.requested_by_id, contract.owner_id):
        return False
    if contract.owner.is_manager:
        return user.is_gm_office
    return is_unit_manager(user, contract.unit_id)
