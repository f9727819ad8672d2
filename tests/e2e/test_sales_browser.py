"""A salesperson enters a discount beyond their authority, sees why and submits; the manager approves; the
salesperson records the signature; finance, the GM office and administration confirm receipt of the original (no
"Mark filed" button) and the contract is filed. In the real Chromium."""

import json
from decimal import Decimal as D

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import FinanceFactory, GMFactory, UserFactory
from customers.tests.factories import CustomerFactory
from documents.models import FilingDepartment, FilingDesk
from sales.models import Contract, ContractStatus
from sales.tests.factories import authority, priced_product
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pick(page, name: str, typed: str, label: str) -> None:
    """Choose in a searchable picker (Tom Select over the <select name=...>) as a keyboard user does: focus it,
    type until the option is the active one, Enter, then Tab on to the next field.

    The typing waits until the picker's own input holds the focus (a Tab out of the previous picker can still be
    settling on a loaded machine, and keys typed then land elsewhere). If the option still does not show, the page is
    saved to test-artifacts/ (screenshot and the picker's state) and the text is typed once more, as a person would
    retype: the choice itself is still asserted below, through the <select>'s value."""
    control = page.locator(f"#id_{name}-ts-control")
    option = page.locator(f"#id_{name}-ts-dropdown .option.active", has_text=label)
    for attempt in (1, 2):
        control.focus()
        expect(control).to_be_focused()
        if attempt == 2:
            control.fill("")
        page.keyboard.type(typed)
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"pick_{name}_retry.png"), full_page=True)
            state = page.evaluate(
                """(name) => ({
                    active: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
                    typed: (document.getElementById(`id_${name}-ts-control`) || {}).value,
                    dropdown: (document.getElementById(`id_${name}-ts-dropdown`) || {}).outerHTML,
                })""",
                name,
            )
            (ARTIFACTS / f"pick_{name}_retry.json").write_text(json.dumps(state, ensure_ascii=False, indent=1))
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector(\"select[name='{name}']\").value !== ''")
    page.keyboard.press("Tab")


def test_discount_beyond_authority_approved_then_signed(
    browser, page, login, live_server, salesperson, manager, artifacts_dir
):
    customer = CustomerFactory(owner=salesperson, name="宏達機械股份有限公司", credit_limit=D("10000000"))
    product = priced_product(standard="2500.00", cost="1000.00", code="P-E2E", name="變頻器")
    authority(salesperson, "15")

    login(page, salesperson)
    page.goto(f"{live_server.url}/sales/contracts/new/")
    pick(page, "customer", "宏達", customer.picker_label)
    pick(page, "lines-0-product", "P-E2E", f"{product.code} {product.name}")
    page.fill("input[name=lines-0-quantity]", "10")
    page.fill("input[name=lines-0-discount_percent]", "18")
    # The reason shows while typing, before anything is saved.
    page.wait_for_selector("#preview-hits")
    assert "discount 18 % exceeds your 15 % authority" in page.inner_text("#preview-hits")
    assert page.inner_text("#preview-amount") == "20,500.00"
    assert Contract.objects.count() == 0
    page.click("#save-contract")

    page.wait_for_selector("#rule-hits")
    hits = page.inner_text("#rule-hits")
    assert "discount 18 % exceeds your 15 % authority" in hits
    assert "needs the department manager" in hits
    assert page.inner_text("#contract-amount") == "20,500.00"
    page.screenshot(path=str(artifacts_dir / "sales_rule_fired.png"), full_page=True)
    page.click("#submit-contract")
    page.wait_for_selector("text=Submitted for review.")
    assert "In review" in page.inner_text("#contract-status")
    contract = Contract.objects.get()
    assert contract.status == ContractStatus.IN_REVIEW
    assert page.locator("#approve-contract").count() == 0  # never on one's own contract

    manager_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})  # a phone
    manager_page = manager_context.new_page()
    manager_page.set_default_timeout(15_000)
    try:
        login(manager_page, manager)
        manager_page.goto(f"{live_server.url}/sales/contracts/?awaiting_me=1")
        manager_page.click(f"text={contract.number}")
        assert "discount 18 % exceeds your 15 % authority" in manager_page.inner_text("#approvals")
        manager_page.fill("#actions input[name=comment]", "OK for this key account")
        manager_page.click("#approve-contract")
        manager_page.wait_for_selector("text=Approved.")
        manager_page.screenshot(path=str(artifacts_dir / "sales_manager_approved_phone.png"), full_page=True)
    finally:
        manager_context.close()

    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED
    page.reload()
    page.click("#sign-contract")
    page.wait_for_selector("#filing-pending")  # no "Mark filed": the departments' receipts file it
    assert "Signed" in page.inner_text("#contract-status")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED and contract.signed_on is not None
    history = page.inner_text("#activity")
    for word in ("created the contract", "submitted the contract for review", "approved the contract", "was signed"):
        assert word in history

    # Filing (契約備案): no "Mark filed"; the three departments confirm receipt of the original.
    assert page.locator("#file-contract").count() == 0
    page.click("#filing-receipts-link")
    page.wait_for_selector("#filing-card")
    assert page.locator("#filing-card button").count() == 0  # the salesperson confirms for no department
    clerk = UserFactory(role=Role.STAFF, unit=None, full_name="行政小姐")
    FilingDesk.objects.create(department=FilingDepartment.ADMINISTRATION, user=clerk)
    for user, button in ((FinanceFactory(), "#confirm-finance"), (GMFactory(), "#confirm-gm_office")):
        desk_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        desk_page = desk_context.new_page()
        desk_page.set_default_timeout(15_000)
        try:
            login(desk_page, user)
            desk_page.goto(f"{live_server.url}/documents/contracts/{contract.pk}/")
            desk_page.click(button)
            desk_page.wait_for_selector("text=Receipt of the original confirmed.")
        finally:
            desk_context.close()
    clerk_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    clerk_page = clerk_context.new_page()
    clerk_page.set_default_timeout(15_000)
    try:
        login(clerk_page, clerk)
        clerk_page.goto(f"{live_server.url}/documents/filing/")
        clerk_page.click(f"#inbox-confirm-{contract.pk}-administration")  # the clerk sees no deal: confirms here
        clerk_page.wait_for_selector("text=Receipt of the original confirmed.")
        clerk_page.screenshot(path=str(artifacts_dir / "filing_inbox_clerk_phone.png"), full_page=True)
    finally:
        clerk_context.close()
    page.goto(f"{live_server.url}/sales/contracts/{contract.pk}/")
    assert "Filed" in page.inner_text("#contract-status")
    assert page.locator("#filing-pending").count() == 0
    assert "filed the contract" in page.inner_text("#activity")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.FILED
