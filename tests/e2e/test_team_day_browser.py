"""The team's day: a quote beyond authority reaches the manager's inbox; the rejection (with its reason) reaches
the salesperson in their language; the resubmission is approved from the inbox. The quote becomes a contract, which
goes to the department review (契約評審) with its rule hits listed, and one approval from the inbox approves it.
In the real Chromium."""

from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import Contract, ContractStatus, Quote, QuoteStatus
from sales.services import LineInput
from sales.tests.factories import authority, priced_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_quote_handoff_between_salesperson_and_manager(
    browser, page, login, live_server, salesperson, manager, artifacts_dir
):
    salesperson.language = "zh-hant"
    salesperson.save(update_fields=["language"])
    manager.full_name = "陳經理"
    manager.language = "en"
    manager.save(update_fields=["full_name", "language"])
    customer = CustomerFactory(owner=salesperson, name="宏達機械股份有限公司", credit_limit=D("10000000"))
    product = priced_product(standard="2500.00", cost="1000.00", code="P-DAY", name="變頻器")
    authority(salesperson, "10")
    quote = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("4"), discount_percent=D("12"))],
    )

    manager_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    boss = manager_context.new_page()
    boss.set_default_timeout(15_000)
    try:
        login(boss, manager)
        assert boss.locator("#inbox-count").count() == 0  # nothing waits yet
        assert boss.get_attribute("#nav-inbox-item", "hx-trigger") == "every 45s"

        # The salesperson submits and is told who the quote now waits for.
        login(page, salesperson)
        page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
        page.click("#submit-quote")
        page.wait_for_selector("#waiting-for")
        assert "陳經理" in page.inner_text("#waiting-for")
        page.screenshot(path=str(artifacts_dir / "teamday_waiting_for_manager.png"), full_page=True)

        # The manager's inbox count rises, the quote is the inbox's item.
        boss.reload()
        assert boss.inner_text("#inbox-count") == "1"
        boss.wait_for_selector(f"#inbox >> text=Quote {quote.number} waits for your approval")
        assert boss.inner_text("#unread-count") == "1"
        boss.screenshot(path=str(artifacts_dir / "teamday_manager_inbox.png"), full_page=True)
        boss.click(f"#inbox >> text=Quote {quote.number} waits for your approval")
        boss.fill("input[name=reason]", "Discount too deep for this volume")
        boss.click("#reject-quote")
        boss.wait_for_selector("text=Rejected. The salesperson has been notified with your reason.")

        # The salesperson reads it in Chinese, with the reason, and resubmits.
        page.goto(f"{live_server.url}/")
        assert page.inner_text("#unread-count") == "1"
        page.click("#nav-bell")
        body = page.inner_text("main")
        assert f"報價單 {quote.number} 已駁回" in body
        assert "Discount too deep for this volume" in body
        page.screenshot(path=str(artifacts_dir / "teamday_rejection_notified_zh.png"), full_page=True)
        page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
        page.click("#submit-quote")
        page.wait_for_selector("#waiting-for")

        # The manager approves from the inbox with its one button.
        boss.goto(f"{live_server.url}/inbox/")
        item = boss.locator("[data-inbox-kind=quote]")
        assert item.count() == 1
        item.locator("button").click()
        boss.wait_for_selector("text=Approved. The salesperson has been notified.")
        assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.APPROVED
        boss.goto(f"{live_server.url}/inbox/")
        boss.wait_for_selector("#inbox-empty")

        page.goto(f"{live_server.url}/reminders/notifications/")
        assert f"報價單 {quote.number} 已核准" in page.inner_text("main")
        page.screenshot(path=str(artifacts_dir / "teamday_approved_zh.png"), full_page=True)

        # The approved quote becomes a contract; submitted, it awaits the department review (契約評審).
        page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
        page.click(f"form[action$='/quotes/{quote.pk}/contract/'] button")
        page.wait_for_selector("#submit-contract")
        contract = Contract.objects.get(quote=quote)
        page.click("#submit-contract")
        page.wait_for_selector("#waiting-for, .alert-success")
        contract.refresh_from_db()
        assert contract.status == ContractStatus.IN_REVIEW
        approval = contract.approvals.get(round=contract.review_round)
        assert [r["code"] for r in approval.reasons] == [
            "department_review",
            "price_below_standard",
            "discount_beyond_authority",
        ]
        boss.goto(f"{live_server.url}/inbox/")
        boss.click(f"#inbox >> text=Contract {contract.number} waits for your review")
        assert "contract review" in boss.inner_text("main")  # the review and the rule hits are listed
        boss.screenshot(path=str(artifacts_dir / "teamday_department_review.png"), full_page=True)
        boss.click("#approve-contract")
        boss.wait_for_selector("text=Approved. The salesperson has been notified.")
        contract.refresh_from_db()
        assert contract.status == ContractStatus.APPROVED
        boss.goto(f"{live_server.url}/inbox/")
        boss.wait_for_selector("#inbox-empty")
    finally:
        manager_context.close()
