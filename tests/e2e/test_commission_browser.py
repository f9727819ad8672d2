"""A salesperson reads their statement, a manager approves an expense, finance closes the month — in Chromium."""

import datetime as dt
from decimal import Decimal

import pytest

from commission.models import ClosedMonth, ExpenseClaim, ExpenseStatus
from commission.tests.factories import PaymentFactory, sold_contract

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def last_month():
    today = dt.date.today()  # noqa: DTZ011 - the live server's "today" is the real date
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def test_statement_expense_and_close(page, login, live_server, salesperson, manager, finance, artifacts_dir):
    month = last_month()
    contract = sold_contract(owner=salesperson, retention="1200.00", signed_on=month, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=month + dt.timedelta(days=3), amount=Decimal("10800.00"))

    login(page, salesperson)
    page.goto(f"{live_server.url}/commission/?month={month:%Y-%m}")
    page.click(f"#statements tr[data-person='{salesperson.id}'] a")
    page.wait_for_selector("#statement-totals")
    assert page.inner_text("#net") == "800.00"
    assert page.inner_text("#held") == "200.00"
    assert "2,000.00 × 50 %" in page.inner_text(f"[data-contract='{contract.number}']")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "commission-statement-phone.png"), full_page=True)

    # The salesperson asks for an expense advance; the manager approves it.
    page.goto(f"{live_server.url}/commission/expenses/")
    page.select_option("#id_contract", str(contract.id))
    page.select_option("#id_kind", "advance")
    page.fill("#id_amount", "300")
    page.fill("#id_description", "客戶拜訪交通費")
    page.fill("#id_incurred_on", dt.date.today().isoformat())  # noqa: DTZ011
    page.click("#expense-form [type=submit]")
    page.wait_for_selector("#claims [data-claim]")
    claim = ExpenseClaim.objects.get()
    assert claim.status == ExpenseStatus.PENDING

    page.context.clear_cookies()
    login(page, manager)
    page.goto(f"{live_server.url}/commission/expenses/")
    page.click(f"#to-decide [data-claim='{claim.id}'] button[value=approve]")
    page.wait_for_selector(".alert-success")
    claim.refresh_from_db()
    assert claim.status == ExpenseStatus.APPROVED

    page.context.clear_cookies()
    login(page, finance)
    page.goto(f"{live_server.url}/commission/?month={month:%Y-%m}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#close-form button")
    page.wait_for_selector("#month-status .badge.text-bg-secondary")
    assert ClosedMonth.objects.filter(month=month).exists()
    page.screenshot(path=str(artifacts_dir / "commission-closed.png"), full_page=True)
