"""The field journey of issue 19: on a 390 px phone a salesperson files a market patrol report with a competitor's
price and an urgent problem; the manager (in Chinese) is alerted at once by the bell, answers, and sees the price on
the intelligence page's chart over time (and in the table beside it), on a desktop and on a phone."""

import pytest

from field.models import EscalationStatus, MarketReport
from reminders.models import Notification
from reports.models import MarketPrice
from sales.tests.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser, locale="en-US"):
    ctx = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_patrol_report_with_a_price_and_an_urgent_problem_reaches_the_manager_and_the_chart(
    browser, page, login, live_server, artifacts_dir, salesperson, manager
):
    product = ProductFactory(code="W-100", name="淨水器")
    manager.language = "zh-hant"
    manager.save()

    ctx, s = _phone(browser)
    login(s, salesperson)
    s.goto(f"{live_server.url}/field/reports/new/")
    s.select_option("select[name=kind]", "patrol")
    s.fill("input[name=place]", "台中市北屯區 大賣場")
    s.fill("input[name=region]", "台中")
    s.select_option("select[name=prices-0-product]", str(product.pk))
    s.fill("input[name=prices-0-competitor]", "大華")
    s.select_option("select[name=prices-0-tier]", "retail")
    s.fill("input[name=prices-0-price]", "8800")
    s.fill("textarea[name=urgent_problem]", "經銷商低價竄貨到我們的區域")
    _no_sideways_scroll(s)
    s.screenshot(path=str(artifacts_dir / "field-patrol-report-phone.png"), full_page=True)
    s.click("form button[type=submit].btn-primary")
    s.wait_for_selector("#urgent")
    ctx.close()
    report = MarketReport.objects.get()
    assert report.escalation == EscalationStatus.OPEN
    assert MarketPrice.objects.get(document="field.report", document_id=report.pk).price == 8800

    # The manager, alerted at once by the bell, in their language.
    login(page, manager)
    assert page.inner_text("#unread-count").strip() == "1"
    [note] = Notification.objects.filter(user=manager)
    assert "緊急" in note.title or "台中市北屯區" in note.title
    page.goto(f"{live_server.url}/field/reports/")
    page.click("#open-escalations a")
    page.wait_for_selector("#answer-form")
    page.fill("#answer-form textarea[name=answer]", "明天一起去拜訪經銷商")
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("#urgent.alert-secondary")
    assert "明天一起去拜訪經銷商" in page.inner_text("#urgent")
    report.refresh_from_db()
    assert report.escalation == EscalationStatus.ANSWERED
    page.goto(f"{live_server.url}/field/reports/")
    assert page.locator("#open-escalations").count() == 0  # answered: no longer waiting

    # The price on the intelligence chart over time, and in the table that carries the same figures.
    page.goto(f"{live_server.url}/field/intelligence/")
    page.wait_for_selector("#chart-prices svg")
    page.wait_for_selector("#chart-activity svg")
    assert "8,800.00" in page.inner_text("#prices") and "大華" in page.inner_text("#prices")
    assert "大華" in page.inner_text("#chart-prices")  # the line's legend
    page.screenshot(path=str(artifacts_dir / "field-intelligence-desktop.png"), full_page=True)

    ctx, m = _phone(browser, locale="zh-TW")
    login(m, manager)
    m.goto(f"{live_server.url}/field/intelligence/")
    m.wait_for_selector("#chart-prices svg")
    assert "零售" in m.inner_text("#prices")
    _no_sideways_scroll(m)
    m.screenshot(path=str(artifacts_dir / "field-intelligence-phone.png"), full_page=True)
    ctx.close()
