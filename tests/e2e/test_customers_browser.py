import pytest

from customers.models import ContactLog, Customer, CustomerConflict
from customers.tests.factories import CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_salesperson_registers_logs_a_visit_searches_and_is_refused_anothers_customer(
    page, live_server, login, salesperson, other_salesperson, artifacts_dir
):
    CustomerFactory(
        owner=other_salesperson, name="長榮精密機械股份有限公司", short_name="長榮精機", tax_id="", phone=""
    )
    login(page, salesperson)

    # Register a customer through the form.
    page.click("#nav-customers")
    page.click("#new-customer")
    page.fill("input[name=name]", "Formosa Components Co., Ltd.")
    page.fill("input[name=short_name]", "Formosa")
    page.fill("input[name=phone]", "04-2325-6789")
    page.fill("input[name=region]", "中區")
    page.click("#main-form [type=submit]")
    page.wait_for_selector("#customer-name")
    assert page.locator("#customer-name").inner_text() == "Formosa Components Co., Ltd."
    customer = Customer.objects.get(name="Formosa Components Co., Ltd.")
    assert customer.owner_id == salesperson.pk

    # Log a visit with a next step.
    page.click("#log-contact")
    page.select_option("select[name=kind]", "visit")
    page.fill("input[name=purpose]", "Product introduction")
    page.fill("textarea[name=outcome]", "Interested in the new line; wants prices")
    page.check("input[name=signal_tags][value=requested_quote]")
    page.check("input[name=objection_tags][value=delivery]")
    page.fill("input[name=next_step]", "Send the quotation")
    page.fill("input[name=next_step_date]", "2099-12-01")
    page.click("#main-form [type=submit]")
    page.wait_for_selector("#timeline .next-step")
    assert "Send the quotation" in page.locator("#timeline").inner_text()
    log = ContactLog.objects.get(customer=customer)
    assert log.kind == "visit" and log.next_step_date.isoformat() == "2099-12-01"
    assert log.signal_tags == ["requested_quote"] and log.objection_tags == ["delivery"]
    page.screenshot(path=str(artifacts_dir / "customer-card.png"), full_page=True)

    # Find it with a misspelt search.
    page.click("#nav-customers")
    page.fill("#customer-search input[name=q]", "Formsa Compnents")
    page.click("#customer-search button[type=submit]")
    page.wait_for_selector("#customer-table")
    assert page.locator("#customer-table tbody tr").first.inner_text().startswith("Formosa Components Co., Ltd.")

    # Try to register a customer another salesperson owns (variant characters, different suffix).
    page.click("#new-customer")
    page.fill("input[name=name]", "长荣精密机械有限公司")
    page.click("#main-form [type=submit]")
    error = page.locator(".alert-danger, .invalid-feedback").first
    error.wait_for()
    body = page.locator("#main-form").inner_text()
    assert "Already registered by" in body and other_salesperson.get_full_name() in body
    page.screenshot(path=str(artifacts_dir / "customer-conflict.png"), full_page=True)
    assert not Customer.objects.filter(name="长荣精密机械有限公司").exists()
    assert CustomerConflict.objects.filter(claimant=salesperson).count() == 1


def test_customer_list_works_on_a_phone(page, live_server, login, salesperson, artifacts_dir):
    for i in range(5):
        CustomerFactory(owner=salesperson, name=f"Phone Layout {i} Ltd")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, salesperson)
    page.goto(f"{live_server.url}/customers/")
    assert page.locator("#customer-table tbody tr").count() == 5
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(artifacts_dir / "customer-list-phone.png"), full_page=True)
