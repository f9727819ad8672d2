"""In the real Chromium: a comment with an @mention on a quote reaches the manager's bell in their language; the
pipeline board on a 390 px phone (columns stacked, "Move to") and on a desktop (drag and drop, guarded)."""

import pytest

from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales.models import QuoteStatus
from sales.tests.factories import QuoteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_mention_on_a_quote_reaches_the_manager(browser, page, login, live_server, salesperson, manager, artifacts_dir):
    manager.language = "zh-hant"
    manager.save(update_fields=["language"])
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson, name="大同紡織"))
    login(page, salesperson)
    page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    page.fill("#comment-body", f"@{manager.username} please check the discount")
    page.click("#comment-submit")
    page.wait_for_selector("#activity-list >> text=please check the discount")  # swapped in by htmx, no reload
    page.screenshot(path=str(artifacts_dir / "timeline_comment.png"), full_page=True)
    [note] = Notification.objects.filter(user=manager)
    assert note.title.endswith("留言") and quote.number in note.title


def test_pipeline_on_a_phone_and_by_drag(browser, login, live_server, salesperson, manager, artifacts_dir):
    customer = CustomerFactory(owner=salesperson)
    sent = QuoteFactory(customer=customer, status=QuoteStatus.SENT)
    review = QuoteFactory(customer=customer, status=QuoteStatus.IN_REVIEW)

    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, salesperson)
        page.goto(f"{live_server.url}/sales/pipeline/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # the columns stack: no sideways scrolling of the page
        card = page.locator(f"#card-{sent.pk}")
        card.locator("select[name=stage]").select_option("accepted")
        card.locator("button[type=submit]").click()
        page.wait_for_selector(f"#stage-accepted #card-{sent.pk}")
        assert "moved" in page.inner_text("#move-message")
        page.screenshot(path=str(artifacts_dir / "pipeline_phone.png"), full_page=True)
    finally:
        phone.close()
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.ACCEPTED

    desk = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, manager)
        page.goto(f"{live_server.url}/sales/pipeline/")
        page.drag_and_drop(f"#card-{review.pk}", "#stage-quoted")
        page.wait_for_selector(f"#stage-quoted #card-{review.pk}")
        page.screenshot(path=str(artifacts_dir / "pipeline_drag.png"), full_page=True)
    finally:
        desk.close()
    review.refresh_from_db()
    assert review.status == QuoteStatus.APPROVED and review.approved_by == manager
