"""The workbench as an XLSX file (every cell through core.exports.safe_cell)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.exports import workbook_bytes, xlsx_append

from .selectors import Workbench


def workbench_xlsx(pages: list[Workbench]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Receivables")[:31]
    first = pages[0]
    xlsx_append(
        ws,
        [
            _("Contract"),
            _("Customer"),
            _("Salesperson"),
            _("Unit"),
            _("Balance"),
            _("Retention"),
            _("Not shipped"),
            _("Overdue"),
            _("Days past due"),
            *first.buckets,
        ],
    )
    for page in pages:
        for r in page.rows:
            c = r.contract
            xlsx_append(
                ws,
                [
                    c.number,
                    c.customer.name,
                    c.owner.get_full_name() or c.owner.get_username(),
                    c.unit.name if c.unit else "",
                    r.balance,
                    r.retention_outstanding,
                    r.unshipped,
                    r.overdue,
                    r.days_past_due,
                    *r.aging.values(),
                ],
            )
    t = first.totals
    xlsx_append(
        ws,
        [
            _("Total"),
            "",
            "",
            "",
            t["balance"],
            t["retention"],
            t["unshipped"],
            t["overdue"],
            "",
            *(t[b] for b in first.buckets),
        ],
    )
    return workbook_bytes(wb)
