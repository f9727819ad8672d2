"""Benchmark of the customer PDFs: a quote of 50 lines (default) rendered with fpdf2 and the embedded Noto Sans
CJK TC font, from the database rows to the PDF bytes (selector + layout + font subsetting + output).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_docs
    python bench/documents.py                 # build inside a transaction, measure, roll everything back
    python bench/documents.py --lines 200 --runs 10

Reports the first render and the median and p95 of the next runs (wall clock, and the median CPU time of this
process, which tells the cost on a busy machine), the PDF's size and page count. Each render parses the font's
face and subsets it (fontTools): about half the time each. All rows are created inside one transaction that is
rolled back at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from documents import pdf, selectors  # noqa: E402
from sales.models import Product, Quote, QuoteLine, QuoteStatus  # noqa: E402


class Rollback(Exception):
    pass


def build(lines: int) -> Quote:
    unit = SalesUnit.objects.create(code="bench-docs", name="效能測試部")
    owner = User.objects.create(username="bench-docs", role=Role.SALESPERSON, unit=unit, full_name="測試業務")
    customer = Customer.objects.create(
        name="效能測試客戶股份有限公司", tax_id="22099131", owner=owner, unit=unit, address="臺北市信義區"
    )
    quote = Quote.objects.create(
        number="BENCH-Q-1", customer=customer, owner=owner, unit=unit, status=QuoteStatus.APPROVED, title="五十項報價"
    )
    total = Decimal("0")
    for i in range(lines):
        product = Product.objects.create(
            code=f"BENCH-{i:04d}", name=f"工業變頻器 {i} 型（含安裝）", name_en=f"Inverter {i}"
        )
        price = Decimal(1000 + i * 37)
        QuoteLine.objects.create(
            quote=quote,
            product=product,
            quantity=Decimal(i % 7 + 1),
            list_price=price,
            unit_price=price,
            standard_price=price,
            unit_cost=price * Decimal("0.6"),
            position=i,
        )
        total += price * (i % 7 + 1)
    quote.amount = total
    quote.valid_until = timezone.localdate()
    quote.save()
    return quote


def render(quote_id: int) -> bytes:
    quote = selectors.visible_quote(user=User.objects.get(username="bench-docs"), pk=quote_id)
    return pdf.render_customer_document(selectors.quote_document(quote))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            quote = build(args.lines)
            start = time.perf_counter()
            content = render(quote.pk)
            cold = time.perf_counter() - start
            times, cpu = [], []
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                content = render(quote.pk)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(content)).pages)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            median = statistics.median(times)
            print(
                f"quote of {args.lines} lines: first {cold * 1000:.0f} ms; median {median * 1000:.0f} ms,"
                f" p95 {p95 * 1000:.0f} ms over {args.runs} runs (CPU median {statistics.median(cpu) * 1000:.0f} ms);"
                f" {len(content) / 1024:.0f} KiB, {pages} pages; load average {os.getloadavg()[0]:.1f}"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
