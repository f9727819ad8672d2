"""Who may do what with company settings, customer documents, attachments, purchase orders and filing receipts.
Pure functions of the user and the record (no ORM writes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales.permissions import may_work_on
from sales.rules import can_see_cost

if TYPE_CHECKING:
    from accounts.models import User
    from documents.models import Attachment, FilingDesk


def may_edit_company_settings(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin_role)


def may_set_filing_desks(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin_role)


def may_send_document(user: User, *, owner_id: int, unit_id: int) -> bool:
    """The salesperson of the deal or their manager sends its documents to the customer."""
    return may_work_on(user, owner_id=owner_id, unit_id=unit_id)


def may_see_cost_sheet(user: User) -> bool:
    """The internal cost-plus sheet is for cost viewers only (never salespeople)."""
    return can_see_cost(user)


def may_record_purchase_order(user: User, *, owner_id: int, unit_id: int) -> bool:
    return may_work_on(user, owner_id=owner_id, unit_id=unit_id) or bool(user.is_admin_role)


def may_delete_attachment(user: User, attachment: Attachment) -> bool:
    """Whoever uploaded it, or an admin."""
    return bool(user.pk == attachment.uploaded_by_id or user.is_admin_role)


def may_confirm_filing(user: User, *, department: str, desk: FilingDesk | None) -> bool:
    """The user the admin named for the department, else anyone with the department's role. Without a desk row,
    finance (財務計畫部) and the GM office (總經辦) confirm by their role; administration (行政管理部, not the system
    admin) needs the admin to name someone."""
    if desk is not None and desk.user_id:
        return bool(user.pk == desk.user_id)
    if desk is not None and desk.role:
        return bool(user.role == desk.role)
    return confirms_by_default(user, department=department)


def confirms_by_default(user: User, *, department: str) -> bool:
    """Who confirms for a department the admin set no desk for (nobody for administration)."""
    if department == "finance":
        return bool(user.is_finance)
    if department == "gm_office":
        return bool(user.is_gm_office)
    return False
