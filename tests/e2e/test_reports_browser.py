"""A salesperson files today's report from the pre-filled form on a phone; the manager sees it from the
dashboard, opens it and comments. Screenshots of the dashboard are saved as test artifacts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import DailyReport
from reports.services import summary_refresh
from sales.tests.factories import ContractFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_salesperson_files_report_manager_reviews_it(
    browser, page, login, live_server, artifacts_dir, salesperson, manager
):
    customer = CustomerFactory(owner=salesperson, short_name="台北精密機械")
    now = timezone.now()
    ContactLogFactory(
        customer=customer,
        kind=ContactKind.VISIT,
        happened_at=max(now - dt.timedelta(hours=1), timezone.localtime(now).replace(hour=0, minute=1)),
        purpose="新品介紹",
        outcome="客戶有興趣",
    )
    ContractFactory(customer=customer, status="signed", signed_on=timezone.localdate(), amount=Decimal("250000"))
    summary_refresh()

    # The salesperson, on a phone-sized screen.
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    login(mobile, salesperson)
    mobile.goto(f"{live_server.url}/reports/daily/write/")
    activities = mobile.locator("textarea[name=activities]")
    assert "台北精密機械" in activities.input_value()
    assert mobile.locator("[data-count=visits]").inner_text() == "1"
    mobile.fill("textarea[name=results]", "客戶同意下週試用樣品")
    mobile.fill("input[name=prices-0-competitor]", "大同")
    mobile.fill("input[name=prices-0-price]", "16800")
    mobile.select_option("select[name=prices-0-tier]", "retail")
    mobile.screenshot(path=str(artifacts_dir / "reports-daily-form-phone.png"), full_page=True)
    mobile.click("#submit-report")
    mobile.wait_for_selector("#report-results")
    assert "客戶同意下週試用樣品" in mobile.inner_text("#report-results")
    phone.close()
    report = DailyReport.objects.get(author=salesperson)
    assert report.submitted_at is not None and report.visits_count == 1
    assert [(p.competitor, p.tier, p.price) for p in report.prices.all()] == [("大同", "retail", Decimal("16800"))]

    # The manager: dashboard first, then the report.
    login(page, manager)
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#chart-trend svg")
    assert salesperson.get_full_name() in page.inner_text("#table-ranking")
    page.screenshot(path=str(artifacts_dir / "reports-dashboard.png"), full_page=True)
    page.click("#unreviewed-link")
    page.click(f"a[href='/reports/daily/{report.pk}/']")
    page.wait_for_selector("#report-title")
    page.fill("textarea[name=body]", "很好，請跟進樣品交期")
    page.click("#review-button")
    page.wait_for_selector("#reviewed-badge")
    assert "很好，請跟進樣品交期" in page.inner_text("#comment-list")
    report.refresh_from_db()
    assert report.reviewed_by_id == manager.pk

    # Drill down from the team to the salesperson.
    page.goto(f"{live_server.url}/reports/")
    page.click(f"#table-ranking a[href*='salesperson={salesperson.pk}']")
    page.wait_for_selector("#dashboard-title")
    assert salesperson.get_full_name() in page.inner_text("#dashboard-title")
