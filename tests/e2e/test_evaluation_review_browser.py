"""On a 390 px phone: the manager scores a salesperson's month and sets an improvement point; the salesperson
reads it (no profit contribution shown) and acknowledges it; then reads the lesson the manager published."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import Evaluation, ImprovementPoint, Lesson, ReviewWeights

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser):
    ctx = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_review_improvement_acknowledge_and_lesson_on_a_phone(
    browser, login, live_server, artifacts_dir, salesperson, manager, unit
):
    month = timezone.localdate().replace(day=1)
    # equal weights (as the migration seeds; a transactional test starts from an emptied database)
    ReviewWeights.objects.get_or_create(
        effective_from=dt.date(2000, 1, 1),
        defaults={"obedience": 20, "planning": 20, "progress": 20, "service": 20, "profit": 20},
    )
    url = f"{live_server.url}/reports/evaluations/{salesperson.pk}/?period=month&start={month}"
    ctx, m = _phone(browser)
    login(m, manager)
    m.goto(url)
    for name, value in {"obedience": "90", "planning": "70", "progress": "85", "service": "60", "profit": "75"}.items():
        m.fill(f"input[name={name}]", value)
    m.fill("textarea[name=feedback]", "Good month; follow quotes faster")
    m.click("#review-form [type=submit]")
    m.wait_for_selector("#feedback")
    assert m.inner_text("#weighted").strip().endswith("76.00")  # equal weights: (90+70+85+60+75)/5 = 76
    m.wait_for_selector("#chart-history-money svg")  # the salesperson's months over time, the table under it
    m.wait_for_selector("#chart-history-work svg")
    assert m.locator("#history-table tbody tr").count() == 12
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    m.fill("#improvement-form input[name=text]", "Answer every quote within two days")
    m.fill("#improvement-form input[name=due_on]", due)
    m.click("#improvement-form button[type=submit]")
    m.wait_for_selector("#improvements >> text=Answer every quote within two days")
    _no_sideways_scroll(m)
    m.screenshot(path=str(artifacts_dir / "evaluation-review-phone.png"), full_page=True)
    m.goto(f"{live_server.url}/reports/lessons/new/")
    m.fill("input[name=title]", "Samples first")
    m.fill("textarea[name=body]", "Send samples before the price talk")
    m.click("#lesson-form [type=submit]")
    m.wait_for_selector("#lesson-body")
    ctx.close()

    ctx, s = _phone(browser)
    login(s, salesperson)
    s.goto(url)
    assert s.locator("#score-profit").count() == 0 and s.locator("#weighted").count() == 0
    s.screenshot(path=str(artifacts_dir / "evaluation-salesperson-phone.png"), full_page=True)
    s.click("#acknowledgement button")
    s.wait_for_selector("#acknowledgement .badge")
    _no_sideways_scroll(s)
    s.goto(f"{live_server.url}/reports/lessons/")
    s.click("#lessons a")
    s.wait_for_selector("#lesson-body")
    assert "1" in s.inner_text("#read-count")
    _no_sideways_scroll(s)
    ctx.close()

    assert Evaluation.objects.get(salesperson=salesperson).acknowledged_at is not None
    assert ImprovementPoint.objects.filter(owner=salesperson).count() == 1
    assert Lesson.objects.get().reads.count() == 1
