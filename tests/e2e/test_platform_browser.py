import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_salesperson_logs_in_and_switches_language(page, live_server, login, salesperson, artifacts_dir):
    login(page, salesperson)
    assert page.locator("#home-title").inner_text().startswith("Good day")
    assert page.locator("html").get_attribute("lang") == "en"

    page.click("#language-switch button[data-lang=zh-hant]")
    page.wait_for_selector("html[lang=zh-hant]")
    assert "您好" in page.locator("#home-title").inner_text()
    assert page.get_by_role("link", name="首頁").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "home-zh-hant.png"))

    salesperson.refresh_from_db()
    assert salesperson.language == "zh-hant"

    page.click("#language-switch button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("#home-title").inner_text().startswith("Good day")
    assert page.get_by_role("link", name="Home").first.is_visible()
    salesperson.refresh_from_db()
    assert salesperson.language == "en"
