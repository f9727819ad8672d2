"""Quote entry that flows, in the real Chromium, on a desktop and on a 390 px phone: search the customer by name,
add two lines, remove one, watch the standard price and the running totals, see the rules before saving."""

from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales.models import Quote
from sales.tests.factories import authority, priced_product

from .test_sales_browser import pick

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height", "language"), [(1280, 900, "en-US"), (390, 844, "zh-TW")])
def test_quote_entry_with_lines_added_and_removed(
    browser, login, live_server, salesperson, artifacts_dir, width, height, language
):
    customer = CustomerFactory(owner=salesperson, name="大同紡織股份有限公司", credit_limit=D("10000000"))
    CustomerFactory(owner=salesperson, name="宏達機械股份有限公司")
    inverter = priced_product(standard="2500.00", cost="1000.00", code="P-INV", name="變頻器")
    cable = priced_product(standard="120.50", cost="60.00", code="P-CAB", name="電纜")
    authority(salesperson, "10")
    salesperson.language = "zh-hant" if language == "zh-TW" else "en"
    salesperson.save(update_fields=["language"])

    context = browser.new_context(locale=language, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, salesperson)
        page.goto(f"{live_server.url}/sales/quotes/new/")
        assert page.get_attribute("html", "lang") == ("zh-hant" if language == "zh-TW" else "en")
        pick(page, "customer", "大同", customer.picker_label)
        pick(page, "lines-0-product", "INV", "P-INV 變頻器")
        assert "2,500.00" in page.inner_text("#lines-body tr:nth-child(1) .line-standard")
        page.fill("input[name=lines-0-quantity]", "2")
        page.fill("input[name=lines-0-discount_percent]", "12")
        # Beyond the 10 % authority: said on the line, while typing.
        assert page.locator("#lines-body tr:nth-child(1) .line-authority").is_visible()
        assert page.inner_text("#lines-body tr:nth-child(1) .line-subtotal") == "4,400.00"

        page.click("#add-line")
        pick(page, "lines-1-product", "CAB", "P-CAB 電纜")
        page.fill("input[name=lines-1-quantity]", "3")
        assert page.inner_text("#lines-body tr:nth-child(2) .line-subtotal") == "361.50"
        assert page.inner_text("#lines-total") == "4,761.50"

        page.click("#add-line")
        pick(page, "lines-2-product", "INV", "P-INV 變頻器")
        page.fill("input[name=lines-2-quantity]", "1")
        assert page.inner_text("#lines-total") == "7,261.50"
        page.locator("#lines-body tr:nth-child(3) .line-remove").click()
        assert page.inner_text("#lines-total") == "4,761.50"

        # The server's preview agrees, names the rules and shows no cost or margin.
        page.wait_for_function(
            "document.querySelector('#preview-amount') && "
            "document.querySelector('#preview-amount').innerText === '4,761.50'"
        )
        hits = page.inner_text("#preview-hits")
        assert "P-INV" in hits and "12" in hits and "10" in hits
        assert "1,000" not in page.content() and "60.00" not in page.content()
        if width == 390:  # usable on a phone: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts_dir / f"quote_entry_{width}.png"), full_page=True)
        assert Quote.objects.count() == 0

        page.click("#save-quote")
        page.wait_for_url(f"{live_server.url}/sales/quotes/*/")
        quote = Quote.objects.get()
        lines = sorted((ln.product.code, ln.quantity) for ln in quote.lines.all())
        assert lines == [("P-CAB", D("3.00")), ("P-INV", D("2.00"))]
        assert quote.amount == D("4761.50")
        assert {ln.product for ln in quote.lines.all()} == {inverter, cable}
    finally:
        context.close()
