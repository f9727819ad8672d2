"""One way to write spreadsheets (CSV and XLSX) that never turns a user's text into a live formula.

A customer named ``=HYPERLINK("http://evil","click")`` must reach Excel, LibreOffice or Google Sheets as the text
it is, not as a formula. Following OWASP's CSV-injection guidance, a string starting with ``=`` ``+`` ``-`` ``@``,
a tab or a carriage return gets a leading apostrophe (spreadsheet programs read it as "this is text"). Numbers stay
numbers (a negative amount is a ``Decimal``/``int``, not a string, so it is left alone). Every CSV/XLSX writer in
the product goes through ``safe_cell`` / ``safe_row`` — directly or through ``csv_response`` / ``xlsx_response``.
The importer reverses it with ``unescape_cell`` so an exported file can be imported again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet cell that cannot be a formula: strings starting with = + - @ TAB CR get a '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return ESCAPE + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def unescape_cell(text: str) -> str:
    """Undo ``safe_cell`` on a cell read back from a file we exported (``'=x`` → ``=x``; ``'abc`` stays)."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterable[str]:
    """CSV text, line by line, BOM first (so Excel reads the Chinese text as UTF-8), every cell made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_bytes(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    return "".join(csv_rows(header, rows)).encode("utf-8")


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download (rows may be a generator over a queryset iterator)."""
    return _attachment(StreamingHttpResponse(csv_rows(header, rows), content_type=CSV_CONTENT_TYPE), filename)


def xlsx_append(ws, row: Iterable[Any]) -> None:
    """``ws.append`` for openpyxl worksheets, with every cell made safe (openpyxl reads '=…' as a formula)."""
    ws.append(safe_row(row))


def xlsx_response(filename: str, body: bytes) -> HttpResponse:
    return _attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE), filename)


def workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
