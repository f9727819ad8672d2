"""XLSX export of a month's statements: a summary sheet and one sheet per person."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import workbook_bytes, xlsx_append

from .display import localize

MONEY_FORMAT = "#,##0.00"
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub("", name)[:28] or "-"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}~{n}", n + 1
    used.add(title)
    return title


# Long on purpose: the workbook layout (summary sheet, then one sheet per person) read top to bottom.
def statements_xlsx(*, statements: list[dict], month: dt.date, language: str, full: bool) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    head = [
        _("Salesperson"),
        _("Sales unit"),
        _("Released"),
        _("Interest"),
        _("Expense excess"),
        _("Cooperation bonus"),
        _("Adjustments"),
        _("Net commission"),
        _("Held"),
        _("Closed"),
    ]
    xlsx_append(summary, [_("Commission statements %(month)s") % {"month": f"{month:%Y-%m}"}])
    summary["A1"].font = Font(bold=True, size=14)
    xlsx_append(summary, head)
    for cell in summary[2]:
        cell.font = Font(bold=True)
    keys = ["released", "interest", "expenses", "bonus", "adjustments", "net", "held"]
    used: set[str] = {summary.title}
    for st in statements:
        t = st["totals"]
        xlsx_append(
            summary,
            [
                st["salesperson"]["name"],
                st["salesperson"]["unit"],
                *[Decimal(t[k]) for k in keys],
                _("yes") if st["closed"] else _("no"),
            ],
        )
        ws = wb.create_sheet(_sheet_title(st["salesperson"]["name"], used))
        xlsx_append(ws, [st["salesperson"]["name"], st["salesperson"]["unit"], st["month"]])
        ws["A1"].font = Font(bold=True, size=13)
        xlsx_append(
            ws,
            [_("Contract"), _("Customer"), _("Item"), _("Amount"), _("Counts toward pay"), _("How it was worked out")],
        )
        for cell in ws[2]:
            cell.font = Font(bold=True)
        view = localize(st, language=language, full=full)
        for block in view["contracts"]:
            for line in block["lines"]:
                xlsx_append(
                    ws,
                    [
                        block["number"],
                        block["customer"],
                        line["display_label"],
                        Decimal(line["amount"]),
                        _("no (held)") if line["info"] else _("yes"),
                        line["display_text"],
                    ],
                )
        xlsx_append(ws, [])
        for k, label in zip(keys, head[2:9], strict=True):
            xlsx_append(ws, ["", "", label, Decimal(st["totals"][k])])
        for row in ws.iter_rows(min_row=3, min_col=4, max_col=4):
            for cell in row:
                cell.number_format = MONEY_FORMAT
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 18
        ws.column_dimensions["C"].width = 20
        ws.column_dimensions["D"].width = 14
        ws.column_dimensions["F"].width = 100
    for row in summary.iter_rows(min_row=3, min_col=3, max_col=9):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    summary.column_dimensions["A"].width = 18
    summary.column_dimensions["B"].width = 18
    return workbook_bytes(wb)
