"""Server-side PDFs with fpdf2 (pure Python) and an embedded, subset Traditional Chinese font (Noto Sans CJK TC).

Every label is printed in both languages (報價單 / Quotation). The renderers take the selectors' dataclasses only:
a customer document is drawn from a `CustomerDocument`, which holds no cost, margin or internal price.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from .models import CompanySettings, DocumentKind
from .selectors import CostSheet, CustomerDocument, Statement

# fontTools logs every subsetting step at INFO: far too much for a log line per document.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "doc"
TITLES = {
    DocumentKind.QUOTE: ("報價單", "QUOTATION"),
    DocumentKind.CONTRACT: ("契約", "CONTRACT"),
}
WATERMARK = "草稿 DRAFT"


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0


# Where Noto Sans CJK lives: Debian/Ubuntu's fonts-noto-cjk, Fedora's google-noto-sans-cjk-fonts. Face 3 of the
# collection is the Traditional Chinese (TC) one.
FONT_CANDIDATES: tuple[tuple[FontFile, FontFile], ...] = (
    (
        FontFile("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
        FontFile("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 3),
    ),
    (
        FontFile("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc", 3),
        FontFile("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Bold.ttc", 3),
    ),
)


def _setting(name: str) -> FontFile | None:
    """DOCUMENTS_FONT_REGULAR / _BOLD: "path" or "path#face" (a face number inside a .ttc collection)."""
    value = getattr(settings, name, "") or ""
    if not value:
        return None
    path, _, index = str(value).partition("#")
    return FontFile(path, int(index or 0))


@lru_cache(maxsize=1)
def fonts() -> tuple[FontFile, FontFile]:
    """The regular and bold font files, from the settings or the first installed candidate."""
    configured = _setting("DOCUMENTS_FONT_REGULAR")
    if configured:
        return configured, _setting("DOCUMENTS_FONT_BOLD") or configured
    for regular, bold in FONT_CANDIDATES:
        if os.path.exists(regular.path):
            return regular, bold if os.path.exists(bold.path) else regular
    raise ImproperlyConfigured(
        "No Traditional Chinese font for PDFs: install fonts-noto-cjk (make sysdeps) or set DOCUMENTS_FONT_REGULAR."
    )


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:,.2f}"


class DocumentPDF(FPDF):
    """A4 page with the letterhead on top, page numbers at the foot and, for a draft, the watermark."""

    def __init__(self, *, company: CompanySettings, draft: bool = False, internal: bool = False) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.company = company
        self.draft = draft
        self.internal = internal
        regular, bold = fonts()
        self.add_font(FONT, "", regular.path, collection_font_number=regular.index)
        self.add_font(FONT, "B", bold.path, collection_font_number=bold.index)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_creator("CRM")
        self.alias_nb_pages()

    # -- page furniture ------------------------------------------------------------------------------------------

    def header(self) -> None:
        if self.draft:
            self._watermark(WATERMARK, (235, 120, 120))
        if self.internal:
            self._watermark("內部文件 INTERNAL", (200, 200, 200))
        c = self.company
        top = self.get_y()
        left = self.l_margin
        if c.logo:
            try:
                with c.logo.open("rb") as fh:
                    self.image(io.BytesIO(fh.read()), x=left, y=top, h=16)
                left += 30
            except (OSError, ValueError):
                pass  # a missing or unreadable logo never stops a document
        self.set_xy(left, top)
        self.set_font(FONT, "B", 13)
        self.cell(0, 7, c.legal_name_zh or c.legal_name_en or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_x(left)
        self.set_font(FONT, "", 8.5)
        if c.legal_name_en and c.legal_name_zh:
            self.cell(0, 4.5, c.legal_name_en, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_x(left)
        bits = [f"統一編號 Tax ID: {c.tax_id}" if c.tax_id else "", f"電話 Tel: {c.phone}" if c.phone else ""]
        self.cell(0, 4.5, "   ".join(b for b in bits if b), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for address in (c.address_zh, c.address_en):
            if address:
                self.set_x(left)
                self.cell(0, 4.5, address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), top + 17) + 1)
        self.set_draw_color(90, 90, 90)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"第 {self.page_no()} 頁，共 {{nb}} 頁   Page {self.page_no()} of {{nb}}", align=Align.C)
        self.set_text_color(0, 0, 0)

    def _watermark(self, text: str, color: tuple[int, int, int]) -> None:
        x, y = self.get_x(), self.get_y()
        with self.local_context(text_color=color):
            self.set_font(FONT, "B", 64)
            width = self.get_string_width(text)
            cx, cy = self.w / 2, self.h / 2
            with self.rotation(45, cx, cy):
                self.text(cx - width / 2, cy, text)
        self.set_xy(x, y)

    # -- building blocks -----------------------------------------------------------------------------------------

    def title_block(self, zh: str, en: str) -> None:
        self.set_font(FONT, "B", 16)
        self.cell(0, 9, f"{zh}  {en}", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.draft:
            self.set_font(FONT, "B", 10)
            self.set_text_color(200, 40, 40)
            self.cell(
                0,
                5,
                "草稿：尚未核准，不得寄送  DRAFT: not approved",
                align=Align.C,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.set_text_color(0, 0, 0)
        self.ln(2)

    def pairs(self, rows: Sequence[tuple[str, str]], *, x: float, width: float, label_w: float = 34) -> float:
        """Label/value rows in a column starting at the current y; returns the y below them."""
        y = self.get_y()
        for label, value in rows:
            self.set_xy(x, y)
            self.set_font(FONT, "", 8.5)
            self.set_text_color(90, 90, 90)
            self.cell(label_w, 5, label)
            self.set_text_color(0, 0, 0)
            self.set_font(FONT, "", 9.5)
            self.multi_cell(width - label_w, 5, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            y = self.get_y()
        return y

    def section(self, label: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 10)
        self.cell(0, 6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9.5)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT, "", 9.5)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], align: str) -> None:
        """A table that breaks across pages and repeats its header; `align` is one letter per column (L/C/R)."""
        self.set_font(FONT, "", 9)
        heading = FontFace(emphasis="BOLD", fill_color=(232, 236, 241))
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            headings_style=heading,
            line_height=5.5,
            padding=1,
            width=self.epw,
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            table.row(list(header))
            for values in rows:
                table.row(list(values))


# --- the customer's quote and contract ------------------------------------------------------------------------------


def render_customer_document(doc: CustomerDocument) -> bytes:
    pdf = DocumentPDF(company=doc.company, draft=not doc.approved)
    pdf.add_page()
    zh, en = TITLES[DocumentKind(doc.kind)]
    pdf.title_block(zh, en)
    half = pdf.epw / 2
    top = pdf.get_y()
    c = doc.customer
    left_end = pdf.pairs(
        [
            ("客戶 Customer", c.name),
            ("統一編號 Tax ID", c.tax_id),
            ("地址 Address", c.address),
            ("聯絡人 Contact", c.contact),
            ("電話 Phone", c.phone),
        ],
        x=pdf.l_margin,
        width=half - 4,
    )
    pdf.set_y(top)
    rows = [("編號 No.", doc.number), ("日期 Date", f"{doc.issued_on:%Y-%m-%d}")]
    if doc.title:
        rows.append(("主旨 Subject", doc.title))
    if doc.valid_until:
        rows.append(("有效期限 Valid until", f"{doc.valid_until:%Y-%m-%d}"))
    if doc.salesperson:
        rows.append(("業務員 Salesperson", doc.salesperson))
    right_end = pdf.pairs(rows, x=pdf.l_margin + half + 4, width=half - 4)
    pdf.set_y(max(left_end, right_end) + 3)

    pdf.grid(
        ["項次 No.", "品名 Description", "數量 Qty", "單位 Unit", "單價 Unit price", "金額 Amount"],
        [
            [
                str(ln.position),
                f"{ln.description}\n{ln.description_en}" if ln.description_en else ln.description,
                _qty(ln.quantity),
                ln.unit,
                _money(ln.unit_price),
                _money(ln.amount),
            ]
            for ln in doc.lines
        ],
        widths=(12, 70, 20, 16, 31, 31),
        align="CLRCRR",
    )
    _totals(pdf, doc)
    _terms(pdf, doc)
    _signatures(pdf)
    return bytes(pdf.output())


def _totals(pdf: DocumentPDF, doc: CustomerDocument) -> None:
    t = doc.totals
    rate = f"{t.rate_percent.normalize():f}%"
    pdf.ln(2)
    rows = [
        ("小計（未稅） Subtotal (excl. tax)", _money(t.subtotal)),
        (f"營業稅 {rate} Business tax" + ("（內含 included）" if t.inclusive else ""), _money(t.tax)),
        ("總計（含稅） Total (incl. tax)", _money(t.total)),
    ]
    for i, (label, value) in enumerate(rows):
        pdf.set_font(FONT, "B" if i == len(rows) - 1 else "", 10)
        pdf.set_x(pdf.l_margin + pdf.epw - 120)
        pdf.cell(85, 6, label, align=Align.R)
        pdf.cell(35, 6, value, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, f"大寫金額 Amount in words：新臺幣 {doc.capitals}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _terms(pdf: DocumentPDF, doc: CustomerDocument) -> None:
    for zh, en, value in doc.extra:
        pdf.set_font(FONT, "", 9.5)
        pdf.cell(0, 5, f"{zh} {en}：{value}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.section("條款 Terms")
    if doc.payment_terms:
        pdf.paragraph(f"付款條件 Payment terms：{doc.payment_terms}")
    if doc.valid_until:
        pdf.paragraph(
            f"本報價單有效期至 {doc.valid_until:%Y-%m-%d}。This quotation is valid until {doc.valid_until:%Y-%m-%d}."
        )
    tax = (
        "以上金額已含營業稅。Prices include business tax."
        if doc.totals.inclusive
        else ("以上單價未含營業稅，營業稅另計。Prices exclude business tax, which is added.")
    )
    pdf.paragraph(tax)
    if doc.company.bank_account:
        pdf.paragraph(f"匯款帳戶 Bank account：{doc.company.bank_account}")
    if doc.notes:
        pdf.paragraph(f"備註 Notes：{doc.notes}")


def _signatures(pdf: DocumentPDF) -> None:
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.ln(6)
    half = (pdf.epw - 10) / 2
    top = pdf.get_y()
    for i, (zh, en) in enumerate(
        (("公司簽章", "Company stamp and signature"), ("客戶簽章", "Customer stamp and signature"))
    ):
        x = pdf.l_margin + i * (half + 10)
        pdf.rect(x, top, half, 38)
        pdf.set_xy(x + 2, top + 2)
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(half - 4, 5, f"{zh} {en}")
        pdf.set_xy(x + 2, top + 31)
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(half - 4, 5, "日期 Date：____________________")
    pdf.set_y(top + 40)


# --- the internal cost-plus sheet ---------------------------------------------------------------------------------


def render_cost_sheet(sheet: CostSheet) -> bytes:
    pdf = DocumentPDF(company=sheet.company, internal=True)
    pdf.add_page()
    pdf.title_block("內部報價（成本加成）", "INTERNAL COST-PLUS SHEET")
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_text_color(200, 40, 40)
    pdf.multi_cell(0, 5, "集團內部資料，嚴禁對外泄漏。Group-internal: never to leave the group.", align=Align.C)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.pairs(
        [("編號 No.", sheet.number), ("主旨 Subject", sheet.title), ("客戶 Customer", sheet.customer)],
        x=pdf.l_margin,
        width=pdf.epw,
    )
    pdf.ln(2)
    rows = [["設備材料費 Equipment and material (C)", "", _money(sheet.cost)]]
    rows += [[f"{zh} {en}", f"{rate.normalize():f}%", _money(amount)] for zh, en, rate, amount in sheet.components]
    rows.append(["內部報價 Internal price", "", _money(sheet.internal_price)])
    rows.append(["對外報價 External price (to the customer)", "", _money(sheet.external_price)])
    pdf.grid(["項目 Item", "費率 Rate", "金額 Amount"], rows, widths=(110, 30, 40), align="LRR")
    return bytes(pdf.output())


# --- statement of account (對帳單) -------------------------------------------------------------------------------


def render_statement(statement: Statement, *, company: CompanySettings) -> bytes:
    pdf = DocumentPDF(company=company)
    pdf.add_page()
    pdf.title_block("對帳單", "STATEMENT OF ACCOUNT")
    c = statement.customer
    pdf.pairs(
        [
            ("客戶 Customer", c.name),
            ("統一編號 Tax ID", c.tax_id),
            ("地址 Address", c.address),
            ("截至 As of", f"{statement.as_of:%Y-%m-%d}"),
        ],
        x=pdf.l_margin,
        width=pdf.epw,
    )
    pdf.ln(2)
    running = Decimal("0")
    rows = []
    for e in statement.entries:
        running += e.charge - e.payment
        rows.append(
            [
                f"{e.on:%Y-%m-%d}",
                e.contract,
                ("發票 Invoice " if e.charge else "收款 Payment ") + e.reference,
                _money(e.charge) if e.charge else "",
                _money(e.payment) if e.payment else "",
                _money(running),
            ]
        )
    pdf.grid(
        ["日期 Date", "契約 Contract", "摘要 Reference", "請款 Invoiced", "收款 Received", "累計 Running"],
        rows,
        widths=(24, 30, 46, 27, 27, 26),
        align="LLLRRR",
    )
    pdf.section("帳款摘要 Summary")
    for label, value in (
        ("發票合計 Invoiced", statement.invoiced),
        ("收款合計 Received", statement.paid),
        ("應收餘額 Balance due on signed contracts", statement.balance),
        ("其中質保金 of which retention money", statement.retention),
        ("其中未出貨 of which not yet shipped", statement.unshipped),
    ):
        pdf.cell(110, 5.5, label)
        pdf.cell(40, 5.5, _money(value), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.section("帳齡 Aging (days since shipment)")
    buckets = list(statement.aging)
    pdf.grid(
        [f"{b} 天 days" for b in buckets],
        [[_money(statement.aging[b]) for b in buckets]],
        widths=[pdf.epw / max(1, len(buckets))] * len(buckets),
        align="R" * len(buckets),
    )
    pdf.ln(3)
    pdf.paragraph("如有疑問，敬請與我們聯絡。Please contact us with any question.")
    return bytes(pdf.output())
