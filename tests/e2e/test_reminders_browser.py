import pytest

from reminders.models import Notification, ReminderState
from reminders.services import reminders_send_due
from reminders.tests.factories import ReminderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bell_notifications_snooze_and_done(page, live_server, login, salesperson, teammate, artifacts_dir):
    first = ReminderFactory(
        owner=salesperson, params={"customer": "Alpha Co", "next_step": "send quote", "date": "2026-11-26"}
    )
    second = ReminderFactory(
        owner=salesperson, params={"customer": "Beta Co", "next_step": "visit", "date": "2026-11-27"}
    )
    ReminderFactory(owner=teammate, params={"customer": "Gamma Co", "next_step": "call", "date": "2026-11-27"})
    reminders_send_due()

    login(page, salesperson)
    assert page.locator("#unread-count").inner_text() == "2"
    page.click("#nav-bell")
    page.wait_for_url(f"{live_server.url}/reminders/notifications/")
    assert page.locator("[data-notification]").count() == 2
    assert "Gamma Co" not in page.content()
    page.locator(f"[data-notification='{Notification.objects.get(reminder=first).pk}'] .mark-read").click()
    page.wait_for_selector("#unread-count:text('1')")

    page.click("#nav-reminders")
    page.wait_for_url(f"{live_server.url}/reminders/")
    assert page.locator("[data-reminder]").count() == 2
    row = page.locator(f"[data-reminder='{first.pk}']")
    row.locator("select[name=choice]").select_option("1w")
    row.get_by_role("button", name="Snooze").click()
    page.wait_for_selector(f"[data-reminder='{first.pk}']", state="detached")
    page.locator(f"[data-reminder='{second.pk}']").get_by_role("button", name="Done").click()
    page.wait_for_selector("#no-reminders")
    page.screenshot(path=str(artifacts_dir / "reminders-inbox.png"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ReminderState.SNOOZED
    assert second.state == ReminderState.DONE
    assert not page.locator("#unread-count").is_visible()  # done and snoozed reminders read their notifications

    page.click("#tab-snoozed")
    assert page.locator(f"[data-reminder='{first.pk}']").is_visible()


def test_reminders_page_on_a_phone(browser, live_server, salesperson, artifacts_dir):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        ReminderFactory(
            owner=salesperson, params={"customer": "Alpha Co", "next_step": "send quote", "date": "2026-11-26"}
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", salesperson.username)
        page.fill("input[name=password]", "pw")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/reminders/")
        assert page.get_by_role("button", name="Done").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        page.screenshot(path=str(artifacts_dir / "reminders-phone.png"))
    finally:
        context.close()
