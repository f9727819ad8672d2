"""XLSX downloads: each dashboard chart's table, the evaluation table, the target import template."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import workbook_bytes, xlsx_append
from core.exports import xlsx_response as exports_response


def xlsx_response(filename: str, title: str, headers: list, rows: list[list]) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = str(title)[:31]
    xlsx_append(ws, [str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(ws, row)
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 50)
    return exports_response(filename, workbook_bytes(wb))


def _periods_table(data) -> tuple[str, list, list[list]]:
    headers = [
        _("Period"),
        _("Sales"),
        _("Target"),
        _("Completion %"),
        _("Expected by today"),
        _("Collected"),
        _("Visits"),
        _("New customers"),
        _("Report compliance %"),
        _("Collection target"),
        _("Collection target completion %"),
        _("Sales, same period last year"),
        _("Sales change %"),
        _("Collected, same period last year"),
        _("Collections change %"),
    ]
    rows = [
        [
            p.label,
            p.sales,
            p.target,
            p.completion,
            p.expected,
            p.collected,
            p.visits,
            p.new_customers,
            p.compliance,
            p.collection_target,
            p.collection_completion,
            p.last_year.get("sales"),
            p.change.get("sales"),
            p.last_year.get("collected"),
            p.change.get("collected"),
        ]
        for p in data.periods
    ]
    return _("At a glance"), headers, rows


def _trend_table(data) -> tuple[str, list, list[list]]:
    return (
        _("Last 12 months"),
        [_("Month"), _("Sales"), _("Collected"), _("Visits")],
        [[r["month"], r["sales"], r["collected"], r["visits"]] for r in data.trend],
    )


def _overdue_table(data) -> tuple[str, list, list[list]]:
    return (
        _("Receivables by age"),
        [_("Days overdue"), _("Amount"), _("Contracts")],
        [[r["label"], r["amount"], r["contracts"]] for r in data.overdue],
    )


def _ranking_table(data) -> tuple[str, list, list[list]]:
    headers = [
        _("Rank"),
        _("Salesperson"),
        _("Sales"),
        _("Target"),
        _("Completion %"),
        _("Collected"),
        _("Collection target"),
        _("Collection target completion %"),
        _("Visits"),
        _("Report compliance %"),
    ]
    keys = [
        "rank",
        "name",
        "sales",
        "target",
        "completion",
        "collected",
        "collection_target",
        "collection_completion",
        "visits",
        "compliance",
    ]
    return _("Ranking"), headers, [[r[k] for k in keys] for r in data.ranking]


def _units_table(data) -> tuple[str, list, list[list]]:
    return (
        _("Units"),
        [_("Sales unit"), _("Sales"), _("Target"), _("Completion %")],
        [[r["name"], r["sales"], r["target"], r["completion"]] for r in data.units],
    )


def _customers_table(data) -> tuple[str, list, list[list]]:
    return (
        _("Top customers"),
        [_("Customer"), _("Sales"), _("Quantity")],
        [[r["name"], r["amount"], r["quantity"]] for r in data.top_customers],
    )


def _breakdown_table(data) -> tuple[str, list, list[list]]:
    headers = [_("Breakdown"), _("Value"), _("Sales"), _("Quantity"), _("Sales, same period last year"), _("Change %")]
    rows = []
    for dim in data.breakdowns:
        if not dim["available"]:
            rows.append([dim["label"], str(_("Not recorded yet")), None, None, None, None])
            continue
        for r in dim["rows"]:
            rows.append([dim["label"], r["label"], r["amount"], r["quantity"], r["last_year"], r["change"]])
        rows.append([dim["label"], str(_("Total")), dim["total"], None, dim["last_year"], dim["change"]])
    return _("Breakdowns"), headers, rows


DASHBOARD_TABLES = {
    "periods": _periods_table,
    "trend": _trend_table,
    "overdue": _overdue_table,
    "ranking": _ranking_table,
    "units": _units_table,
    "customers": _customers_table,
    "breakdown": _breakdown_table,
}


def dashboard_table(data, chart: str) -> tuple[str, list, list[list]]:
    """(sheet title, headers, rows) of one dashboard chart; KeyError for an unknown chart."""
    return DASHBOARD_TABLES[chart](data)


def evaluation_table(rows, *, show_allowance: bool) -> tuple[str, list, list[list]]:
    """The evaluation sheet; without `show_allowance` (a reader who may not see cost) the expense allowance and
    the share used are not columns at all."""
    headers = [
        _("Salesperson"),
        _("Sales unit"),
        _("Sales"),
        _("Quantity"),
        _("Target"),
        _("Completion %"),
        _("Expected by today"),
        _("Pace %"),
        _("Collected"),
        _("Overdue receivables"),
        _("Visits"),
        _("Calls"),
        _("Report compliance %"),
        _("Approved expenses"),
        _("Expense allowance"),
        _("Expenses / allowance %"),
        _("New customers"),
        _("Repeat customers"),
        _("Collection target"),
        _("Collection target completion %"),
        _("Sales, same period last year"),
        _("Sales change %"),
        _("Collected, same period last year"),
        _("Collections change %"),
        _("Feedback"),
    ]
    table = [
        [
            p.get_full_name(),
            str(p.unit or ""),
            f.sales_amount,
            f.sales_quantity,
            f.target_amount,
            f.completion,
            f.expected_by_today,
            f.pace,
            f.collections,
            f.overdue_amount,
            f.visits,
            f.calls,
            f.report_compliance,
            f.expenses_approved,
            f.expense_allowance,
            f.expense_used,
            f.new_customers,
            f.repeat_customers,
            f.collection_target,
            f.collection_completion,
            f.sales_last_year,
            f.sales_change,
            f.collections_last_year,
            f.collections_change,
            f.feedback,
        ]
        for p, f in rows
    ]
    if not show_allowance or not all(f.allowance_visible for _p, f in rows):
        allowance_columns = {headers.index(_("Expense allowance")), headers.index(_("Expenses / allowance %"))}
        headers = [h for i, h in enumerate(headers) if i not in allowance_columns]
        table = [[v for i, v in enumerate(row) if i not in allowance_columns] for row in table]
    return _("Evaluation"), headers, table
