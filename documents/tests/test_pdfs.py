"""Every kind of document, rendered and read back: Chinese present as text, nothing internal in what a customer
gets, DRAFT on what is not approved. Sample PDFs and PNGs (pdftoppm) are kept in var/artifacts/documents."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from documents import pdf, selectors
from documents.models import DocumentKind, DocumentOptions, TaxMode
from documents.rules import amount_in_capitals
from sales import services as sales_services
from sales.models import PaymentKind

from .factories import (
    INTERNAL_WORDS,
    approved,
    company,
    contract_for,
    customer_of,
    engineering_quote,
    product_quote,
    signed,
)

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "artifacts" / "documents"


def text_of(content: bytes) -> str:
    """The PDF's text: poppler's pdftotext where installed, else pypdf (which reads fpdf2's two-byte CID codes with
    a NUL before each character: those are dropped)."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
        return done.stdout.decode()
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join((page.extract_text() or "").replace("\x00", "") for page in pages)


def keep(name: str, content: bytes) -> Path:
    """Write the sample PDF to the artifacts folder and, where poppler is installed, its first page as PNG."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(content)
    return path


def money_strings(value: D) -> set[str]:
    return {f"{value:,.2f}", f"{value:.2f}"}


def customer_documents(salesperson):
    """(name, PDF bytes, the internal numbers that must not appear) for every kind a customer receives."""
    company()
    pq = approved(product_quote(salesperson))
    eq = approved(engineering_quote(salesperson))
    contract = contract_for(salesperson)
    internal_pq = {str(ln.unit_cost) for ln in pq.lines.all()} | money_strings(pq.cost_total)
    sheet = selectors.cost_sheet(eq)
    # C and each component; the price itself is what the contract charges (the sales app prices an engineering
    # quote at the cost-plus figure unless the unit sets another), so it is the customer's price.
    internal_eq = money_strings(eq.equipment_cost)
    internal_eq |= {s for c in sheet.components for s in money_strings(c[3])}
    internal_c = {str(ln.unit_cost) for ln in contract.lines.all()} | money_strings(contract.cost_total)
    return [
        ("quote-product", pdf.render_customer_document(selectors.quote_document(pq)), internal_pq),
        ("quote-engineering", pdf.render_customer_document(selectors.quote_document(eq)), internal_eq),
        ("contract-draft", pdf.render_customer_document(selectors.contract_document(contract)), internal_c),
    ]


def test_every_customer_document_has_chinese_text_and_nothing_internal(salesperson):
    for name, content, internal in customer_documents(salesperson):
        keep(name, content)
        text = text_of(content)
        assert "測試機電股份有限公司" in text, name  # letterhead, as text (embedded font)
        assert "統一編號" in text and "04595257" in text and "22099131" in text, name
        assert "營業稅" in text and "大寫金額" in text and "新臺幣" in text, name
        assert "客戶簽章" in text and "Customer stamp" in text, name
        assert "第 1 頁" in text and "Page 1 of" in text, name
        for word in INTERNAL_WORDS:
            assert word not in text, (name, word)
        for number in internal:
            assert number not in text, (name, number)


def test_the_engineering_quote_shows_the_external_price_only(salesperson):
    company()
    quote = approved(engineering_quote(salesperson, cost="1000000.00"))
    text = text_of(pdf.render_customer_document(selectors.quote_document(quote)))
    assert f"{quote.amount:,.2f}" in text
    assert "1,000,000.00" not in text  # the equipment cost C
    assert "1,700,000.00" in text  # the external price the unit set from it (1.70 × C by default)


def test_unapproved_documents_carry_the_draft_watermark_and_approved_ones_do_not(salesperson):
    company()
    draft = product_quote(salesperson)
    text = text_of(pdf.render_customer_document(selectors.quote_document(draft)))
    assert "草稿" in text and "DRAFT" in text
    ok = approved(product_quote(salesperson))
    text = text_of(pdf.render_customer_document(selectors.quote_document(ok)))
    assert "草稿" not in text and "DRAFT" not in text


def test_totals_tax_and_capitals_on_the_quote(salesperson):
    company()
    quote = approved(product_quote(salesperson, lines=1))  # 3 × 1,000.00 = 3,000.00; tax 150
    doc = selectors.quote_document(quote)
    assert (doc.totals.subtotal, doc.totals.tax, doc.totals.total) == (D("3000.00"), D("150"), D("3150.00"))
    text = text_of(pdf.render_customer_document(doc))
    assert "3,150.00" in text and "150.00" in text
    assert amount_in_capitals(D("3150")) == "參仟壹佰伍拾元整"
    assert "參仟壹佰伍拾元整" in text


def test_tax_inclusive_per_document(salesperson):
    company()
    quote = approved(product_quote(salesperson, lines=1))
    DocumentOptions.objects.create(
        document=DocumentKind.QUOTE, document_id=quote.pk, tax_mode=TaxMode.INCLUSIVE, set_by=salesperson
    )
    doc = selectors.quote_document(quote)
    assert doc.totals.total == D("3000.00") and doc.totals.tax == D("143")  # 3000 − 3000/1.05 = 142.857 → 143
    assert "參仟元整" in text_of(pdf.render_customer_document(doc))


def test_fifty_lines_break_across_pages_with_page_numbers(salesperson):
    company()
    quote = approved(product_quote(salesperson, lines=50))
    content = pdf.render_customer_document(selectors.quote_document(quote))
    keep("quote-50-lines", content)
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert pages >= 2
    second = (reader.pages[1].extract_text() or "").replace("\x00", "")
    last = (reader.pages[-1].extract_text() or "").replace("\x00", "")
    assert f"Page {pages} of {pages}" in last
    assert "Description" in second  # the table's header repeats


def test_internal_cost_sheet_shows_the_components_and_says_internal(salesperson):
    company()
    quote = approved(engineering_quote(salesperson, cost="1000000.00"))
    content = pdf.render_cost_sheet(selectors.cost_sheet(quote))
    keep("internal-cost-sheet", content)
    text = text_of(content)
    assert "嚴禁對外泄漏" in text and "內部報價" in text
    assert "1,000,000.00" in text and "300,000.00" in text and "1,700,000.00" in text


def test_statement_of_account_lists_invoices_payments_balance_and_aging(salesperson, finance):
    company()
    customer = customer_of(salesperson)
    contract = signed(contract_for(salesperson, customer))  # 2 × 1,000.00
    sales_services.invoice_create(
        actor=finance, contract=contract, number="AB12345678", issued_on=contract.signed_on, amount=D("2000.00")
    )
    sales_services.payment_record(
        actor=finance, contract=contract, paid_on=contract.signed_on, amount=D("800.00"), kind=PaymentKind.PROGRESS
    )
    statement = selectors.statement_of_account(customer, contract.signed_on)
    assert (statement.invoiced, statement.paid, statement.balance) == (D("2000.00"), D("800.00"), D("1200.00"))
    content = pdf.render_statement(statement, company=selectors.company_settings())
    keep("statement", content)
    text = text_of(content)
    assert "對帳單" in text and "AB12345678" in text and "1,200.00" in text and "帳齡" in text
    assert "612.34" not in text  # the line's cost


def test_samples_render_to_png(salesperson):
    """The sample PDFs as images (poppler's pdftoppm), kept next to them for a look."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: `make sysdeps` installs it; PNG samples skipped")
    for name, content, _internal in customer_documents(salesperson):
        path = keep(name, content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path.with_suffix(""))], check=True
        )
        pngs = list(ARTIFACTS.glob(f"{name}-*1.png"))
        assert pngs and pngs[0].stat().st_size > 5000, name


def test_pdf_pages_need_sight_of_the_record(client, salesperson, other_salesperson, manager):
    company()
    quote = approved(engineering_quote(salesperson))
    client.force_login(other_salesperson)
    assert client.get(reverse("documents:quote_pdf", args=[quote.pk])).status_code == 404
    client.force_login(salesperson)
    response = client.get(reverse("documents:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # The internal sheet: never for the salesperson (404, as if there were none); the manager sees it.
    assert client.get(reverse("documents:quote_cost_sheet", args=[quote.pk])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("documents:quote_cost_sheet", args=[quote.pk])).status_code == 200


def test_statement_page_for_the_owner_only(client, salesperson, other_salesperson):
    company()
    customer = customer_of(salesperson)
    client.force_login(other_salesperson)
    assert client.get(reverse("documents:statement_pdf", args=[customer.pk])).status_code == 404
    client.force_login(salesperson)
    response = client.get(reverse("documents:statement_pdf", args=[customer.pk]), {"as_of": "2026-01-31"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("documents:statement_pdf", args=[customer.pk]), {"as_of": "nope"}).status_code == 400
